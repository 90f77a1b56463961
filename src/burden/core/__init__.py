"""The formulation core: model data shared by every model (parameters, ...)."""

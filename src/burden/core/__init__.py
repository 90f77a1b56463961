"""The formulation core: column space, rows, components, problem, model parameters.

Layers (see ``shared/DESIGN.md``): :mod:`.space` (column blocks, sparse expressions),
:mod:`.rows` (one row type, the table of standard limits), :mod:`.formulation`
(columns + rows + objective terms, matrix form), :mod:`.components` (burden, fuels,
process: one ``declare`` each), :mod:`.problem` (a formulated scenario and its live
backend), :mod:`.parameters` (:class:`~burden.core.parameters.ModelParameters`, the
named, unit-annotated model constants a scenario may override and calibration fit).
"""

"""Pure chemistry and physics of the blast furnace: no solver, no file I/O.

Functions work on floats and numpy arrays; the model builders and the reports
both call them, so a number in a report and the constraint that produced it
come from one formula.
"""

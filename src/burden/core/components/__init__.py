"""Formulation components, one small ``declare`` each (PyPSA ``define_*`` style).

* :mod:`.burden` — material columns, element and oxide balances, hot metal, slag,
  loads, shares (the LP core);
* :mod:`.fuels` — coke replacement by an injectant, plant correction factors;
* :mod:`.process` — the nonlinear model's blast settings, by name.
* :mod:`.emissions` — CO2 by carbon mass balance: a column, its balance row, a cap and a
  carbon price (scenario section ``emissions:``).

Later capabilities (inventory, discrete, emissions, sinter, robust) add components
here without touching the balances.
"""

"""Calibration: fit the diffusion model to a sales history and simulate from the fit.

- ``read_sales_csv`` / ``SalesSeries`` / ``SalesDataError``: checked, trimmed input;
- ``fit_nls``, ``fit_ols`` (``bass``): Bass (1969) by NLS on the closed form
  (Srinivasan and Mason 1986) and by Bass's discrete OLS;
- ``fit_gbm`` (``gbm``): Generalized Bass Model (Bass, Krishnan and Jain 1994);
- ``calibrate`` (``fit``): all of it plus bootstrap intervals, as a ``Calibration``;
- ``write_outputs`` (``output``): fit.json, fit.png and the market config YAML;
- ``cli.main``: the ``marketsim-fit`` command.

This package sits at the edge (file I/O, plotting); nothing in ``sim`` imports it. SciPy
and the plotting stack load lazily, on first use of the submodules that need them.
"""

from sim.calibration.data import SalesDataError, SalesSeries, read_sales_csv

__all__ = ["SalesDataError", "SalesSeries", "read_sales_csv"]

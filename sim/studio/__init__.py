"""marketsim studio: a local web app over the library (what-if, run catalogue and
comparison, sweeps, war game). A thin layer: every number comes from ``sim``."""

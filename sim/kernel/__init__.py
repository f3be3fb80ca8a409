"""The demand kernel: pure numerical code (NumPy and Numba only), arrays in, arrays out.

Public entry points:
- ``Segments``, ``Offer``: validated inputs; ``StepOutcome``: what a step returns;
- ``AggregateMarket``: counts per segment and product, binomial/multinomial draws;
- ``AgentMarket``: one record per customer, social-network word of mouth, ``prange``;
  ``sim.kernel.cuda.CudaAgentMarket`` is the same market on an NVIDIA GPU (numba-cuda, an
  optional extra; import it from there, on demand);
- ``build_network``, ``watts_strogatz``, ``heavy_tailed``, ``Network``;
- ``segment_drivers``, ``logit_shares``: brand choice and hazard factors;
- ``bass_cdf``, ``bass_pdf``, ``bass_peak_time``, ``bass_discrete``: the Bass closed form;
  ``norton_bass``: successive generations (Norton and Bass 1987).
"""

from sim.kernel.agent import AgentMarket
from sim.kernel.aggregate import AggregateMarket
from sim.kernel.bass import bass_cdf, bass_discrete, bass_pdf, bass_peak_time, norton_bass
from sim.kernel.choice import hazard_probabilities, logit_shares, segment_drivers
from sim.kernel.network import Network, build_network, heavy_tailed, watts_strogatz
from sim.kernel.outcome import StepOutcome
from sim.kernel.params import Offer, Segments

__all__ = [
    "AggregateMarket", "AgentMarket", "Network", "Offer", "Segments", "StepOutcome",
    "bass_cdf", "bass_discrete", "bass_pdf", "bass_peak_time", "build_network", "norton_bass",
    "hazard_probabilities", "heavy_tailed", "logit_shares", "segment_drivers",
    "watts_strogatz",
]

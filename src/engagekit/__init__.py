"""engagekit: measure customer engagement from one store of customer data."""
from __future__ import annotations

__version__ = "0.1.0"

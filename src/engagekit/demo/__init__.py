"""Synthetic demo company generator with planted, documented effects (see docs/demo.md)."""
from __future__ import annotations

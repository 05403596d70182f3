"""What the company sells and what customers buy: the catalog, orders and refunds.

Orders come out of web sessions that reach the end of the funnel; this module
turns them into ``order_completed`` rows (revenue > 0) and later
``order_refunded`` rows (refunded amount in ``properties.amount``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .columns import (
    id_strings,
    json_bool,
    json_number,
    json_object,
    json_quoted,
    json_text,
)
from .events import EventBlock
from .timeline import US_PER_DAY
from .world import World

N_PRODUCTS = 400
LATE_DELIVERY_SHARE = 0.12
REFUND_SHARE = 0.06
REFUND_REASONS = ("damaged", "wrong_size", "not_as_described", "changed_mind", "arrived_late")
SHIPPING = ("standard", "express")


@dataclass
class Catalog:
    """Products with a category, a price and a popularity weight."""

    category: np.ndarray
    price: np.ndarray
    popularity: np.ndarray

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Product numbers drawn by popularity."""
        return rng.choice(len(self.price), size=n, p=self.popularity)

    def ids(self, products: np.ndarray) -> pa.Array:
        """Quoted JSON product ids such as ``"P0042"``."""
        return json_quoted(id_strings("P", products + 1, 4))


def build_catalog(rng: np.random.Generator, n_categories: int, median_price: float) -> Catalog:
    """A catalog with log-normal prices and Zipf-like popularity."""
    weights = 1.0 / np.arange(1, N_PRODUCTS + 1) ** 1.05
    price = np.round(rng.lognormal(np.log(median_price), 0.6, N_PRODUCTS), 0) - 0.01
    return Catalog(category=rng.integers(0, n_categories, N_PRODUCTS),
                   price=np.maximum(price, 1.99), popularity=rng.permutation(weights / weights.sum()))


@dataclass
class Orders:
    """Completed orders, one per converting web session."""

    customer: np.ndarray
    session: np.ndarray
    ts: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    revenue: np.ndarray
    late: np.ndarray


def draw_late(rng: np.random.Generator, n: int) -> np.ndarray:
    """Which orders are delivered later than promised."""
    return rng.random(n) < LATE_DELIVERY_SHARE


def order_blocks(world: World, rng: np.random.Generator, orders: Orders, catalog: Catalog) -> list[EventBlock]:
    """``order_completed`` and ``order_refunded`` rows for the given orders."""
    n = len(orders.ts)
    order_ids = json_quoted(id_strings("O", np.arange(1, n + 1), 9))
    express = rng.random(n) < 0.2
    promised = np.where(express, 2, 5)
    days = promised + np.where(orders.late, rng.integers(3, 15, n), -rng.integers(0, 2, n))
    completed = EventBlock(
        "order_completed", orders.ts, "web",
        json_object(n, {
            "order_id": order_ids, "product_id": catalog.ids(orders.product),
            "category": json_text(world.profile.categories, catalog.category[orders.product]),
            "items": json_number(orders.quantity), "shipping": json_text(SHIPPING, express.astype(int)),
            "promised_days": json_number(promised), "delivery_days": json_number(days),
            "late": json_bool(orders.late),
        }),
        customer=orders.customer, session=orders.session, revenue=orders.revenue,
    )
    refunded = rng.random(n) < np.where(orders.late, REFUND_SHARE * 2.5, REFUND_SHARE)
    when = orders.ts + rng.integers(3 * US_PER_DAY, 21 * US_PER_DAY, n)
    refunded &= world.within_life(orders.customer, when)
    reason = np.where(orders.late, 4, rng.integers(0, 4, n))[refunded]
    share = np.where(rng.random(n) < 0.8, 1.0, 0.5)[refunded]
    refund = EventBlock(
        "order_refunded", when[refunded], "billing",
        json_object(int(refunded.sum()), {
            "order_id": order_ids.filter(pa.array(refunded)),
            "amount": json_number(orders.revenue[refunded] * share, 2),
            "reason": json_text(REFUND_REASONS, reason),
        }),
        customer=orders.customer[refunded],
    )
    return [completed, refund]

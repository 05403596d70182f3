"""Generate a synthetic demo company: one Parquet file per source, deterministic per seed.

Draws the people and their lifecycles once (see :mod:`.world`), then each
source in a fixed order with its own child random generator. Each finished
source is written by a background thread while the next one is generated
(file contents do not depend on timing), so memory stays bounded and a
progress bar can follow.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .acquisition import ad_blocks, signup_blocks
from .appointments import appointment_blocks
from .commerce import build_catalog, order_blocks
from .email import email_blocks
from .events import EventBlock, write_events, write_table
from .industries import PROFILES
from .population import accounts_table, customers_table
from .product import product_blocks
from .social import social_blocks
from .subscriptions import subscription_blocks
from .support import support_blocks
from .surveys import survey_blocks
from .web import web_blocks
from .world import DemoSpec, World, build_world

__all__ = ["DemoSpec", "Progress", "generate", "source_names"]

Progress = Callable[[str, int, int], None]
"""``progress(step_name, done, total)``, called after each file is written."""
Emit = Callable[[str, list[EventBlock]], None]

EVENT_SOURCES = ("web", "orders", "email", "ads", "signups", "product", "support", "surveys", "subscriptions",
                 "social", "experiments")


def source_names(spec: DemoSpec) -> list[str]:
    """The files :func:`generate` writes for ``spec``, in writing order (without ``.parquet``)."""
    events = [*EVENT_SOURCES, "appointments"] if PROFILES[spec.industry].appointments else list(EVENT_SOURCES)
    return [*events, "customers", "accounts"]


def _event_sources(world: World, rngs: dict[str, np.random.Generator], emit: Emit) -> np.ndarray:
    """Generate every event source in writing order; returns each customer's final plan code."""
    profile = world.profile
    catalog = build_catalog(rngs["catalog"], len(profile.categories), profile.median_price)
    email, clicks = email_blocks(world, rngs["email"])
    web = web_blocks(world, rngs["web"], clicks, catalog)
    emit("web", web.blocks)
    emit("orders", order_blocks(world, rngs["orders"], web.orders, catalog))
    emit("email", email)
    emit("ads", ad_blocks(world, rngs["ads"]))
    emit("signups", signup_blocks(world, rngs["signups"], web.signup_session))
    product, activated = product_blocks(world, rngs["product"])
    emit("product", product)
    support, resolved = support_blocks(world, rngs["support"])
    emit("support", support)
    emit("surveys", survey_blocks(world, rngs["surveys"], web.orders, resolved, activated))
    subscriptions, plan = subscription_blocks(world, rngs["subscriptions"])
    emit("subscriptions", subscriptions)
    emit("social", social_blocks(world, rngs["social"], web.orders, catalog))
    emit("experiments", web.experiments)
    if profile.appointments:
        emit("appointments", appointment_blocks(world, rngs["appointments"]))
    return plan


def generate(spec: DemoSpec, out_dir: Path, progress: Progress | None = None) -> dict[str, Path]:
    """Write the demo company described by ``spec`` into ``out_dir``; returns source name -> file path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    world, rngs = build_world(spec)
    total = len(source_names(spec))
    files: dict[str, Path] = {}
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: list[tuple[str, Future[object]]] = []

        def finish() -> None:
            """Wait for the file being written, then report it."""
            while pending:
                name, job = pending.pop()
                job.result()
                files[name] = out_dir / f"{name}.parquet"
                if progress is not None:
                    progress(name, len(files), total)

        def submit(name: str, write: Callable[..., object], *args: object) -> None:
            finish()
            pending.append((name, writer.submit(write, *args, out_dir / f"{name}.parquet")))

        def emit(name: str, blocks: list[EventBlock]) -> None:
            submit(name, write_events, name, blocks)

        plan = _event_sources(world, rngs, emit)
        submit("customers", write_table, customers_table(world.pop, world.profile, plan))
        submit("accounts", write_table, accounts_table(world.pop.accounts))
        finish()
    return files

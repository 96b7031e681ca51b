"""Questions bidding asks of, or answers for, the apps above it, without importing them (DESIGN.md §3).

- Known bidders of a lot: the organisations that have bid for a lot so far. The expert draw uses them
  for recusal (回避) and shows them to experts declaring conflicts. Until the sealed-bid models exist
  nothing is registered and the answer is an empty list; whatever builds bids registers a provider
  from its AppConfig.ready().
- Extra actions for a lot: links an app above bidding offers on the tender page, per lot, to the
  person looking (the expert pool offers the operator "request an expert draw"). Providers return
  LotAction items; the page shows them in the lot's row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from bidding.models import Lot

KnownBidders = Callable[["Lot"], Iterable[int]]

_known_bidder_providers: list[KnownBidders] = []


def register_known_bidders(fn: KnownBidders) -> None:
    if fn not in _known_bidder_providers:
        _known_bidder_providers.append(fn)


def unregister_known_bidders(fn: KnownBidders) -> None:
    if fn in _known_bidder_providers:
        _known_bidder_providers.remove(fn)


def known_bidders(lot: "Lot") -> list[int]:
    """Organisation ids of the lot's bidders known now, sorted; empty while no provider is registered."""
    ids: set[int] = set()
    for provider in _known_bidder_providers:
        ids.update(int(i) for i in provider(lot))
    return sorted(ids)


@dataclass(frozen=True)
class LotAction:
    label: str
    url: str


LotActions = Callable[[Any, "Lot"], Iterable[LotAction]]

_lot_action_providers: list[LotActions] = []


def register_lot_actions(fn: LotActions) -> None:
    if fn not in _lot_action_providers:
        _lot_action_providers.append(fn)


def unregister_lot_actions(fn: LotActions) -> None:
    if fn in _lot_action_providers:
        _lot_action_providers.remove(fn)


def lot_actions(actor, lot: "Lot") -> list[LotAction]:
    """The extra actions every registered provider offers this actor for this lot, in registration order."""
    return [action for provider in _lot_action_providers for action in provider(actor, lot)]

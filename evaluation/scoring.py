"""The arithmetic of evaluation (评标): price formulas, scheme checks, aggregation, ranking and flags.

Pure: no models and no database. Inputs are numbers keyed by ids (bid ids are ints, as the lottery needs;
expert ids anything hashable; a criterion is keyed by its `id`, or its name when it has none), outputs are
numbers, dataclasses and messages. The services read the sheets and bids, call these, and store the results.

Numbers are Decimal; a score that is shown or stored is rounded ROUND_HALF_UP to 2 decimals, once, at the
end of its computation (intermediate values keep full precision).
"""

from __future__ import annotations

import abc

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from itertools import groupby

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import lottery
from core.errors import DomainError

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
TOTAL_POINTS = HUNDRED  # comprehensive scoring is out of 100 points

GOVERNMENT = "government"  # bidding.models.Category.GOVERNMENT (not imported: this module stays model-free)
COMPREHENSIVE, LOWEST_PRICE = "comprehensive", "lowest_price"  # 综合评分法, 最低评标价法
PRICE, OBJECTIVE, SUBJECTIVE = "price", "objective", "subjective"  # criterion kinds
DOCUMENTS, LOTTERY = "documents", "lottery"  # what broke a tie
MAX_CANDIDATES = 3  # 招标投标法实施条例 art. 53 (RULES M6)

# 87号令 art. 55 (RULES M2): minimum price weight, percent of the total points, per procurement kind.
GP_MIN_PRICE_SHARE = {"goods": Decimal(30), "services": Decimal(10)}
# 财库〔2014〕214号 art. 24 (RULES M2): under competitive consultation (磋商) the weight is also capped.
GP_CONSULTATION_PRICE_SHARE = {"goods": (Decimal(30), Decimal(60)), "services": (Decimal(10), Decimal(30))}
KIND_LABELS = {"goods": gettext_lazy("goods"), "services": gettext_lazy("services")}


def to_decimal(value) -> Decimal:
    """A finite Decimal from a Decimal, int or numeric string (floats go through str, so 0.1 is 0.1)."""
    if isinstance(value, bool):
        raise DomainError(_("%(value)s is not a number.") % {"value": value})
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("%(value)s is not a number.") % {"value": value}) from None
    if not d.is_finite():
        raise DomainError(_("%(value)s is not a number.") % {"value": value})
    return d


def q2(value) -> Decimal:
    """Rounded half up to 2 decimals. A Fraction is rounded exactly (a mean over 3 or 6 experts is not a
    finite decimal, and its 28-digit approximation could fall just short of a half cent)."""
    if isinstance(value, Fraction):
        cents = value * 100
        whole = (abs(cents.numerator) * 2 + cents.denominator) // (2 * cents.denominator)
        return (Decimal(whole if cents >= 0 else -whole) / 100).quantize(CENT)
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- criteria and points ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionSpec:
    """One scoring criterion. `experts` is who scores it (None: every expert who hands in a sheet)."""

    name: str
    max_points: Decimal
    kind: str = SUBJECTIVE
    id: Hashable | None = None
    experts: frozenset | None = None

    def __post_init__(self):
        object.__setattr__(self, "max_points", to_decimal(self.max_points))
        if self.experts is not None:
            object.__setattr__(self, "experts", frozenset(self.experts))

    @property
    def key(self) -> Hashable:
        return self.name if self.id is None else self.id

    @property
    def is_price(self) -> bool:
        return self.kind == PRICE


def check_points(criterion: CriterionSpec, points) -> str | None:
    """Why `points` cannot be given for `criterion` (outside 0..max, or more than 2 decimals); None if fine."""
    try:
        value = to_decimal(points)
    except DomainError as e:
        return _("%(criterion)s: %(error)s") % {"criterion": criterion.name, "error": e}
    if value < 0 or value > criterion.max_points:
        return _("%(criterion)s: %(points)s is outside its range, 0 to %(max)s.") % {
            "criterion": criterion.name, "points": value, "max": criterion.max_points}
    if value != value.quantize(CENT):
        return _("%(criterion)s: %(points)s has more than two decimals.") % {"criterion": criterion.name,
                                                                            "points": value}
    return None


# --- price formulas ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    name: str
    label: Promise
    default: int | Decimal  # an int default makes the parameter a whole number
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None


class PriceFormula(abc.ABC):
    """A price score: `score(prices, weight=, params=)` over the compliant bids' prices only.

    `weight` is the price criterion's maximum points; no bid gets more."""

    code: str = ""
    label: Promise = gettext_lazy("Price formula")
    params: tuple[Param, ...] = ()
    average_base = False  # a base computed from an average: forbidden in government procurement

    def clean(self, params: Mapping | None) -> tuple[dict, list[str]]:
        """The parameters with defaults filled in and types fixed, and what is wrong with them."""
        if params is not None and not isinstance(params, Mapping):
            return {}, [_("The formula parameters must be a set of named values.")]
        given = dict(params or {})
        errors = []
        unknown = sorted(set(given) - {p.name for p in self.params})
        if unknown:
            errors.append(_("Unknown parameters for %(formula)s: %(names)s.") % {
                "formula": self.label, "names": ", ".join(map(str, unknown))})
        cleaned = {}
        for p in self.params:
            raw = given.get(p.name)
            try:
                value = p.default if raw in (None, "") else to_decimal(raw)
            except DomainError:
                errors.append(_("%(param)s must be a number.") % {"param": p.label})
                continue
            if isinstance(p.default, int):
                if value != int(value):
                    errors.append(_("%(param)s must be a whole number.") % {"param": p.label})
                    continue
                value = int(value)
            if (p.minimum is not None and value < p.minimum) or (p.maximum is not None and value > p.maximum):
                errors.append(_("%(param)s must be between %(min)s and %(max)s.") % {
                    "param": p.label, "min": p.minimum, "max": "∞" if p.maximum is None else p.maximum})
                continue
            cleaned[p.name] = value
        if not errors:
            errors = self.check(cleaned)
        return cleaned, errors

    def check(self, cleaned: dict) -> list[str]:
        return []

    def validate(self, params: Mapping | None, *, category: str, price_weight) -> list[str]:
        """What is wrong with using this formula with these parameters; `price_weight` is the price
        criterion's maximum points."""
        cleaned, errors = self.clean(params)
        if self.average_base and category == GOVERNMENT:
            errors.append(_("Government procurement may not use an average-price base; use the lowest compliant "
                            "price as the base (87号令 art. 55)."))
        try:
            weight = to_decimal(price_weight)
        except DomainError:
            weight = Decimal(0)
        return errors + self._weight_errors(cleaned, weight)

    def _weight_errors(self, cleaned: dict, weight: Decimal) -> list[str]:
        if weight <= 0:
            return [_("The price criterion needs more than 0 points.")]
        if cleaned.get("floor", 0) > weight:
            return [_("The lowest price score cannot exceed the price criterion's %(max)s points.") % {"max": weight}]
        return []

    def base_price(self, prices: Mapping[int, Decimal], *, params: Mapping | None = None) -> Decimal:
        """The evaluation base price (评标基准价) of these compliant prices."""
        cleaned, prices = self._inputs(prices, params)
        if not prices:
            raise DomainError(_("There is no compliant price to compute a base from."))
        return self._base(prices, cleaned)

    def score(self, prices: Mapping[int, Decimal], *, weight, params: Mapping | None = None) -> dict[int, Decimal]:
        """Each compliant bid's price points, 2 decimals."""
        cleaned, prices = self._inputs(prices, params)
        weight = to_decimal(weight)
        if errors := self._weight_errors(cleaned, weight):
            raise DomainError(errors[0])
        if not prices:
            return {}
        base = self._base(prices, cleaned)
        return {bid: q2(self._points(price, base, weight, cleaned)) for bid, price in prices.items()}

    def _inputs(self, prices, params):
        cleaned, errors = self.clean(params)
        if errors:
            raise DomainError(errors[0], fields={"params": errors})
        prices = {bid: to_decimal(p) for bid, p in prices.items()}
        if any(p <= 0 for p in prices.values()):
            raise DomainError(_("A bid price must be more than 0."))
        return cleaned, prices

    @abc.abstractmethod
    def _base(self, prices: dict[int, Decimal], params: dict) -> Decimal:
        """The base price (评标基准价) each formula defines."""

    @abc.abstractmethod
    def _points(self, price: Decimal, base: Decimal, weight: Decimal, params: dict) -> Decimal:
        """One price's points against the base."""


class LowestPriceBase(PriceFormula):
    """低价优先法 (87号令 art. 55, RULES M1): base = the lowest compliant price; points = base ÷ price × weight.
    RULES M1 writes it with the weight as a fraction × 100; here the weight is already in points."""

    code = "gp_lowest"
    label = gettext_lazy("Lowest compliant price as the base (government procurement)")

    def _base(self, prices, params):
        return min(prices.values())

    def _points(self, price, base, weight, params):
        return base * weight / price  # one division: an exact half cent stays exact


class TrimmedMeanBase(PriceFormula):
    """A common works formula (RULES M3): base = mean of the valid prices, dropping the `trim_count` highest
    and lowest when there are at least `min_bids_to_trim`, × (1 − `float_percent` %), rounded to the cent.
    Points = weight − |price − base| ÷ base × 100 × the coefficient per percent (one above the base, another
    below), never below `floor`. The float is often drawn at the opening: the caller passes the drawn value."""

    code = "works_trimmed_mean"
    label = gettext_lazy("Trimmed mean of valid prices as the base, points deducted per percent off it")
    average_base = True
    params = (
        Param("min_bids_to_trim", gettext_lazy("Bids needed before the extremes are dropped"), 5, 3, 1000),
        Param("trim_count", gettext_lazy("Highest and lowest prices dropped, each"), 1, 0, 100),
        Param("float_percent", gettext_lazy("Downward float of the base (%)"), Decimal(0), Decimal(0),
              Decimal("99.99")),
        Param("above_per_percent", gettext_lazy("Points deducted per 1% above the base"), Decimal(1), Decimal(0)),
        Param("below_per_percent", gettext_lazy("Points deducted per 1% below the base"), Decimal("0.5"),
              Decimal(0)),
        Param("floor", gettext_lazy("Lowest price score"), Decimal(0), Decimal(0)),
    )

    def check(self, cleaned):
        if 2 * cleaned["trim_count"] >= cleaned["min_bids_to_trim"]:
            return [_("Dropping %(k)d highest and %(k)d lowest of %(n)d bids leaves none to average.")
                    % {"k": cleaned["trim_count"], "n": cleaned["min_bids_to_trim"]}]
        return []

    def _base(self, prices, params):
        values = sorted(prices.values())
        k = params["trim_count"]
        if k and len(values) >= params["min_bids_to_trim"]:
            values = values[k:-k]
        base = q2(sum(values) * (HUNDRED - params["float_percent"]) / (len(values) * HUNDRED))
        if base <= 0:
            raise DomainError(_("The base price comes out at 0; check the prices and the float."))
        return base

    def _points(self, price, base, weight, params):
        per_percent = params["above_per_percent"] if price > base else params["below_per_percent"]
        return max(weight - abs(price - base) * HUNDRED * per_percent / base, params["floor"])


PRICE_FORMULAS: dict[str, PriceFormula] = {f.code: f for f in (LowestPriceBase(), TrimmedMeanBase())}


def formula_for(code: str) -> PriceFormula:
    try:
        return PRICE_FORMULAS[code]
    except (KeyError, TypeError):
        raise DomainError(_("Unknown price formula %(code)s.") % {"code": code}, field="price_formula") from None


# --- the scheme -------------------------------------------------------------------------------------------

def scheme_errors(*, category: str, method: str, criteria: Sequence[CriterionSpec], formula: str | None = "",
                  params: Mapping | None = None, procurement_kind: str = "", procurement_method: str = "") -> list[str]:
    """What makes this evaluation scheme unusable. `procurement_method` is the tender's method ("consultation"
    caps the GP price weight); `formula` is a PRICE_FORMULAS code."""
    errors = []
    if method == LOWEST_PRICE:
        if criteria:
            errors.append(_("The lowest evaluated price method has no scored criteria; bids rank by evaluated "
                            "price."))
        if formula:
            errors.append(_("The lowest evaluated price method has no price formula."))
        return errors
    if method != COMPREHENSIVE:
        return [_("Unknown evaluation method %(method)s.") % {"method": method}]
    if not criteria:
        return [_("Comprehensive scoring needs criteria.")]
    keys = [c.key for c in criteria]
    if len(set(keys)) != len(keys):
        errors.append(_("Two criteria have the same name."))
    for c in criteria:
        if c.kind not in (PRICE, OBJECTIVE, SUBJECTIVE):
            errors.append(_("%(criterion)s: a criterion is price, objective or subjective.") % {"criterion": c.name})
        if c.max_points <= 0 or c.max_points != c.max_points.quantize(CENT):
            errors.append(_("%(criterion)s: the maximum points must be more than 0, with at most two decimals.")
                          % {"criterion": c.name})
    total = sum((c.max_points for c in criteria), Decimal(0))
    if total != TOTAL_POINTS:
        errors.append(_("The criteria add up to %(total)s points; comprehensive scoring is out of 100.")
                      % {"total": total})
    prices = [c for c in criteria if c.is_price]
    if len(prices) != 1:
        errors.append(_("Comprehensive scoring needs exactly one price criterion; there are %(n)d.")
                      % {"n": len(prices)})
        return errors
    weight = prices[0].max_points
    if not formula:
        errors.append(_("Choose a price formula."))
    elif formula not in PRICE_FORMULAS:
        errors.append(_("Unknown price formula %(code)s.") % {"code": formula})
    else:
        errors += PRICE_FORMULAS[formula].validate(params, category=category, price_weight=weight)
    if category == GOVERNMENT and total > 0:
        errors += _gp_weight_errors(weight * HUNDRED / total, procurement_kind, procurement_method)
    return errors


def _gp_weight_errors(share: Decimal, kind: str, procurement_method: str) -> list[str]:
    if kind not in ("goods", "services", "works"):
        return [_("Say whether the government procurement buys goods, services or works.")]
    if kind == "works":  # GP works tendered under the tender law: no 87号令 weight
        return []
    low = GP_MIN_PRICE_SHARE[kind]
    if procurement_method == "consultation":
        low, high = GP_CONSULTATION_PRICE_SHARE[kind]
        if share > high:
            return [_("Under competitive consultation the price weight for %(kind)s is at most %(high)s%%; it is "
                      "%(share)s%%.") % {"kind": KIND_LABELS[kind], "high": high, "share": q2(share)}]
    if share < low:
        return [_("Government procurement of %(kind)s needs a price weight of at least %(low)s%% (87号令 art. 55); "
                  "it is %(share)s%%.") % {"kind": KIND_LABELS[kind], "low": low, "share": q2(share)}]
    return []


# --- aggregation ------------------------------------------------------------------------------------------

Sheets = Mapping[Hashable, Mapping[int, Mapping[Hashable, Decimal]]]  # expert -> bid -> criterion key -> points


@dataclass(frozen=True)
class BidScore:
    bid: int
    score: Decimal  # the bid's score, 2 decimals
    by_criterion: dict  # criterion key -> mean of the points of the experts who score it, 2 decimals
    by_expert: dict  # expert -> that expert's own points plus the price points, 2 decimals
    non_price: Decimal  # the score without the price points (技术 + 商务), 2 decimals
    price_points: Decimal | None


def _scorers(sheets: Sheets, criteria: Sequence[CriterionSpec]) -> dict[Hashable, set]:
    return {c.key: set(sheets) if c.experts is None else set(c.experts) for c in criteria if not c.is_price}


def sheet_errors(sheets: Sheets, *, criteria: Sequence[CriterionSpec], bids: Iterable[int]) -> list[str]:
    """What keeps these sheets from being aggregated: a missing sheet or score, a score out of range, points
    for a criterion the expert does not score or for the price (which comes from the formula)."""
    errors = []
    by_key = {c.key: c for c in criteria}
    scorers = _scorers(sheets, criteria)
    bids = sorted(set(bids))
    for c in criteria:
        if c.is_price:
            continue
        if not scorers[c.key]:
            errors.append(_("Nobody scores %(criterion)s.") % {"criterion": c.name})
        for expert in sorted(scorers[c.key] - set(sheets), key=str):
            errors.append(_("Expert %(expert)s has not handed in a sheet.") % {"expert": expert})
    for expert, sheet in sheets.items():
        for bid in sorted(set(sheet) - set(bids), key=str):
            errors.append(_("Expert %(expert)s scored bid %(bid)s, which is not evaluated.")
                          % {"expert": expert, "bid": bid})
        for bid in bids:
            given = sheet.get(bid, {})
            for key in given:
                c = by_key.get(key)
                if c is None:
                    errors.append(_("Unknown criterion %(criterion)s.") % {"criterion": key})
                elif c.is_price:
                    errors.append(_("%(criterion)s: price points come from the formula, not from experts.")
                                  % {"criterion": c.name})
                elif expert not in scorers[key]:
                    errors.append(_("Expert %(expert)s does not score %(criterion)s.")
                                  % {"expert": expert, "criterion": c.name})
            for c in criteria:
                if c.is_price or expert not in scorers[c.key]:
                    continue
                if c.key not in given:
                    errors.append(_("Expert %(expert)s has not scored %(criterion)s for bid %(bid)s.")
                                  % {"expert": expert, "criterion": c.name, "bid": bid})
                elif (problem := check_points(c, given[c.key])) is not None:
                    errors.append(problem)
    return errors


def aggregate(sheets: Sheets, *, criteria: Sequence[CriterionSpec],
              price_points: Mapping[int, Decimal] | None = None) -> dict[int, BidScore]:
    """Each bid's score: the sum over criteria of the mean of the points given by the experts who score that
    criterion, plus the price points, rounded once to 2 decimals.

    Why per criterion: when every expert scores every criterion this is exactly the arithmetic mean of the
    experts' totals (RULES M3: a mean is linear). When a criterion is scored by some experts only (the economic
    members score the commercial part), the mean of totals would compare sums over different criteria;
    averaging each criterion over the experts who judge it keeps every criterion worth its maximum.
    `by_expert` stays each expert's own total, for display and the deviation check."""
    has_price = any(c.is_price for c in criteria)
    if (has_price and price_points is None) or (not has_price and price_points):
        raise DomainError(_("Price points are needed exactly when there is a price criterion."))
    price_points = {bid: to_decimal(p) for bid, p in (price_points or {}).items()}
    bids = set(price_points) | {bid for sheet in sheets.values() for bid in sheet}
    errors = sheet_errors(sheets, criteria=criteria, bids=bids)
    if errors:
        raise DomainError(errors[0], fields={"sheets": errors})
    scorers = _scorers(sheets, criteria)
    scored = [c for c in criteria if not c.is_price]
    result = {}
    for bid in bids:
        means = {c.key: Fraction(sum(to_decimal(sheets[e][bid][c.key]) for e in scorers[c.key]))
                 / len(scorers[c.key]) for c in scored}
        price = price_points.get(bid) if has_price else None
        if has_price and price is None:
            raise DomainError(_("Bid %(bid)s has no price points.") % {"bid": bid})
        non_price = sum(means.values(), Fraction(0))
        by_expert = {e: q2(sum((to_decimal(points) for points in sheets[e].get(bid, {}).values()), Decimal(0))
                           + (price or 0)) for e in sheets}
        result[bid] = BidScore(bid=bid, score=q2(non_price + Fraction(price or 0)), non_price=q2(non_price),
                               by_criterion={k: q2(v) for k, v in means.items()}, by_expert=by_expert,
                               price_points=price)
    return result


# --- lowest evaluated price -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Adjustment:
    """A committee adjustment to a bid's evaluated price (e.g. a missing item priced in); negative deducts."""

    amount: Decimal
    reason: str


def evaluated_prices(prices: Mapping[int, Decimal],
                     adjustments: Mapping[int, Sequence[Adjustment]] | None = None) -> dict[int, Decimal]:
    """最低评标价法: the evaluated price is the bid price plus the committee's recorded adjustments."""
    result = {bid: to_decimal(p) for bid, p in prices.items()}
    for bid, items in (adjustments or {}).items():
        if bid not in result:
            raise DomainError(_("Bid %(bid)s is not evaluated; it cannot be adjusted.") % {"bid": bid})
        for item in items:
            if not str(item.reason).strip():
                raise DomainError(_("Each price adjustment needs its reason recorded."))
            result[bid] += to_decimal(item.amount)
        if result[bid] <= 0:
            raise DomainError(_("The adjustments bring bid %(bid)s to %(price)s; an evaluated price must be more "
                                "than 0.") % {"bid": bid, "price": result[bid]})
    return {bid: q2(p) for bid, p in result.items()}


# --- ranking ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ranked:
    bid: int
    rank: int
    price: Decimal
    score: Decimal | None
    tie_broken_by: str  # "", DOCUMENTS or LOTTERY


@dataclass(frozen=True)
class Tie:
    bids: tuple[int, ...]  # in their final order
    broken_by: str  # DOCUMENTS, LOTTERY, or "" while no lottery seed was given (the bids share a rank)


@dataclass(frozen=True)
class Ranking:
    rows: tuple[Ranked, ...]
    ties: tuple[Tie, ...]

    @property
    def order(self) -> list[int]:
        return [r.bid for r in self.rows]

    @property
    def pending(self) -> list[int]:
        """Bids still tied: rank again with a committed lottery seed."""
        return [bid for t in self.ties if not t.broken_by for bid in t.bids]

    def candidates(self, count: int = MAX_CANDIDATES) -> list[int]:
        """The recommended candidates, best first (at most 3, RULES M6)."""
        if not 1 <= count <= MAX_CANDIDATES:
            raise DomainError(_("Recommend 1 to %(n)d candidates.") % {"n": MAX_CANDIDATES})
        top = self.order[:count]
        if set(top) & set(self.pending):
            raise DomainError(_("A tie among the candidates must be broken by the lottery first."), code="tied")
        return top


def rank(*, method: str, prices: Mapping[int, Decimal], scores: Mapping[int, Decimal] | None = None,
         tie_key: Callable[[int], object] | None = None, seed: bytes | None = None) -> Ranking:
    """RULES M4. Comprehensive: score descending, then price ascending; lowest price: evaluated price ascending.
    Bids still equal go by `tie_key` (the tender documents' rule; lower key first) and those still equal after
    it by the lottery, `core.lottery.ranking(seed, ids)`. Without a seed they stay tied and share a rank."""
    prices = {int(bid): to_decimal(p) for bid, p in prices.items()}
    if method == COMPREHENSIVE:
        scores = {int(bid): to_decimal(s) for bid, s in (scores or {}).items()}
        if set(scores) != set(prices):
            raise DomainError(_("Every ranked bid needs both a price and a score."))

        def primary(bid):
            return (-scores[bid], prices[bid])
    elif method == LOWEST_PRICE:
        scores = None

        def primary(bid):
            return (prices[bid],)
    else:
        raise DomainError(_("Unknown evaluation method %(method)s.") % {"method": method})
    rows, ties, position = [], [], 0
    for _key, group in groupby(sorted(prices, key=lambda b: (primary(b), b)), key=primary):
        group = list(group)
        if len(group) == 1:
            parts = [(group, "")]
        else:
            parts = _break(group, tie_key, seed, ties)
        for bids, how in parts:
            shared = how == "" and len(bids) > 1
            for n, bid in enumerate(bids):
                rank_ = position + 1 if shared else position + n + 1
                rows.append(Ranked(bid=bid, rank=rank_, price=prices[bid],
                                   score=None if scores is None else scores[bid], tie_broken_by=how))
            position += len(bids)
    return Ranking(rows=tuple(rows), ties=tuple(ties))


def _break(group: list[int], tie_key, seed, ties: list[Tie]) -> list[tuple[list[int], str]]:
    """Split a tied group into ordered parts, each (bids, what ordered them), and record its ties."""
    subgroups = [group]
    if tie_key is not None:
        subgroups = [list(g) for _k, g in groupby(sorted(group, key=lambda b: (tie_key(b), b)), key=tie_key)]
    parts, still_tied = [], []
    for sub in subgroups:
        if len(sub) == 1:
            parts.append((sub, DOCUMENTS))
            continue
        sub = lottery.ranking(seed, sub) if seed is not None else sorted(sub)
        parts.append((sub, LOTTERY if seed is not None else ""))
        still_tied.append(Tie(bids=tuple(sub), broken_by=parts[-1][1]))
    if len(subgroups) > 1:
        ties.append(Tie(bids=tuple(b for bids, _how in parts for b in bids), broken_by=DOCUMENTS))
    ties.extend(still_tied)
    return parts


TIE_RULES = {"technical_first": gettext_lazy("Higher technical (non-price) score first, then the lottery")}


def tie_key_for(rule: str, scores: Mapping[int, BidScore]) -> Callable[[int], object] | None:
    """The tender documents' tie rule as a `rank(tie_key=)`; "lottery" (or "") means none."""
    if rule in ("", LOTTERY):
        return None
    if rule == "technical_first":
        return lambda bid: -scores[bid].non_price
    raise DomainError(_("Unknown tie rule %(rule)s.") % {"rule": rule})


# --- flags needing a recorded committee decision ----------------------------------------------------------

@dataclass(frozen=True)
class Flag:
    kind: str  # "abnormally_low", "deviation" or "objective_inconsistent"
    bid: int
    message: str
    reasons: tuple[str, ...] = ()
    expert: Hashable | None = None
    criterion: Hashable | None = None
    value: Decimal | None = None  # the deviation, as a fraction to 4 decimals


def _pct(ratio) -> Decimal:
    value = to_decimal(ratio) * HUNDRED
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def abnormally_low(prices: Mapping[int, Decimal], *, ceiling: Decimal | None = None,
                   mean_ratio: Decimal = Decimal("0.50"), second_ratio: Decimal = Decimal("0.55"),
                   ceiling_ratio: Decimal = Decimal("0.45")) -> list[Flag]:
    """RULES M8: a compliant price strictly below mean_ratio × the mean of all compliant prices (itself
    included), below second_ratio × the second-lowest price (only the lowest bid can be), or below
    ceiling_ratio × the ceiling price. The committee must decide on each and record why."""
    prices = {bid: to_decimal(p) for bid, p in prices.items()}
    if not prices:
        return []
    total = sum(prices.values())
    ordered = sorted(prices.values())
    second = ordered[1] if len(ordered) > 1 else None
    flags = []
    for bid in sorted(prices):
        price, reasons, parts = prices[bid], [], []
        if price * len(prices) < total * to_decimal(mean_ratio):  # price < mean × ratio, exactly
            reasons.append("below_mean")
            parts.append(_("below %(pct)s%% of the mean of compliant prices (%(mean)s)")
                         % {"pct": _pct(mean_ratio), "mean": q2(Fraction(total) / len(prices))})
        if second is not None and price < second * to_decimal(second_ratio):
            reasons.append("below_second_lowest")
            parts.append(_("below %(pct)s%% of the second-lowest price (%(second)s)")
                         % {"pct": _pct(second_ratio), "second": second})
        if ceiling is not None and price < to_decimal(ceiling) * to_decimal(ceiling_ratio):
            reasons.append("below_ceiling")
            parts.append(_("below %(pct)s%% of the ceiling price (%(ceiling)s)")
                         % {"pct": _pct(ceiling_ratio), "ceiling": to_decimal(ceiling)})
        if reasons:
            flags.append(Flag(kind="abnormally_low", bid=bid, reasons=tuple(reasons), message=_(
                "Bid %(bid)s at %(price)s may be abnormally low: %(why)s. The committee must decide and record "
                "why.") % {"bid": bid, "price": price, "why": "; ".join(parts)}))
    return flags


def score_deviations(sheets: Sheets, *, criteria: Sequence[CriterionSpec],
                     threshold: Decimal = Decimal("0.20")) -> list[Flag]:
    """An expert whose points for a bid stray from the other experts' by more than `threshold`.

    The deviation of expert E on bid B = |E's points − the others' mean points| summed over the criteria E
    scores that someone else scores too (price excluded: it is the same for all), as a fraction of those
    criteria's maximum points. With every expert scoring every criterion it is |E's total − the mean of the
    others' totals| ÷ the non-price points available."""
    threshold = to_decimal(threshold)
    bids = {bid for sheet in sheets.values() for bid in sheet}
    errors = sheet_errors(sheets, criteria=criteria, bids=bids)
    if errors:
        raise DomainError(errors[0], fields={"sheets": errors})
    scorers = _scorers(sheets, criteria)
    # The others' mean on a criterion is (everyone's points − the expert's own) ÷ (its scorers − 1): each sum is
    # taken once per bid, and criteria with as many scorers share the divisor, so an expert's "others" is a
    # few exact fractions whatever the number of criteria (Decimal sums of points with 2 decimals are exact).
    pooled = [c for c in criteria if not c.is_price and len(scorers[c.key]) > 1]
    shared = {}
    for expert in sheets:
        groups: dict[int, list] = {}
        for c in pooled:
            if expert in scorers[c.key]:
                groups.setdefault(len(scorers[c.key]), []).append(c.key)
        shared[expert] = (groups, sum((c.max_points for c in pooled if expert in scorers[c.key]), Decimal(0)))
    flags = []
    for bid in sorted(bids):
        totals = {c.key: sum((to_decimal(sheets[e][bid][c.key]) for e in scorers[c.key]), Decimal(0)) for c in pooled}
        for expert in sorted(sheets, key=str):
            groups, available = shared[expert]
            if not available:
                continue
            own, others = Decimal(0), Fraction(0)
            for n, keys in groups.items():
                own_n = sum((to_decimal(sheets[expert][bid][k]) for k in keys), Decimal(0))
                others += Fraction(sum((totals[k] for k in keys), Decimal(0)) - own_n) / (n - 1)
                own += own_n
            deviation = abs(Fraction(own) - others) / Fraction(available)
            if deviation > Fraction(threshold):
                flags.append(Flag(kind="deviation", bid=bid, expert=expert, value=q2(deviation * 100) / 100, message=_(
                    "Expert %(expert)s gave bid %(bid)s %(own)s points where the others gave %(others)s on average, "
                    "%(pct)s%% of the %(available)s points at stake (the threshold is %(threshold)s%%).") % {
                    "expert": expert, "bid": bid, "own": own, "others": q2(others), "available": available,
                    "pct": q2(deviation * 100), "threshold": _pct(threshold)}))
    return flags


def objective_inconsistencies(sheets: Sheets, *, criteria: Sequence[CriterionSpec]) -> list[Flag]:
    """Objective criteria on which the experts gave a bid different points (87号令 art. 64 (3))."""
    scorers = _scorers(sheets, criteria)
    flags = []
    for c in criteria:
        if c.kind != OBJECTIVE:
            continue
        for bid in sorted({bid for e in scorers[c.key] for bid in sheets.get(e, {})}):
            given = {to_decimal(sheets[e][bid][c.key]) for e in scorers[c.key]
                     if c.key in sheets.get(e, {}).get(bid, {})}
            if len(given) > 1:
                flags.append(Flag(kind="objective_inconsistent", bid=bid, criterion=c.key, message=_(
                    "The experts gave bid %(bid)s different points for the objective criterion %(criterion)s: "
                    "%(points)s.") % {"bid": bid, "criterion": c.name, "points": ", ".join(map(str, sorted(given)))}))
    return flags


# 87号令 art. 64: after the summary a score may be changed only for these reasons.
CORRECTION_KINDS = {
    "addition_error": gettext_lazy("Adding-up error"),
    "out_of_range": gettext_lazy("Score outside its range"),
    "objective_inconsistent": gettext_lazy("Inconsistent scores for an objective criterion"),
    "abnormal_score": gettext_lazy("Score the committee finds abnormally high or low"),
}


def correction_errors(*, kind: str, reason: str, criterion: CriterionSpec | None = None,
                      points=None) -> list[str]:
    """What is wrong with a proposed correction: a kind the rules do not allow, no reason, new points out of
    the criterion's range, or a correction of the price points (the formula computes them)."""
    errors = []
    if kind not in CORRECTION_KINDS:
        errors.append(_("A score may be corrected only for an adding-up error, a score outside its range, "
                        "inconsistent objective scores or a score the committee finds abnormal (87号令 art. 64)."))
    if not str(reason or "").strip():
        errors.append(_("Record the reason for the correction."))
    if criterion is not None:
        if criterion.is_price:
            errors.append(_("Price points come from the formula; correct the price, not the points."))
        elif points is not None and (problem := check_points(criterion, points)) is not None:
            errors.append(problem)
    return errors

"""The agency rules file: what an agency adds to, or switches off in, the shipped screening.

A YAML file with a `version:`; per category: on or off, a score threshold, extra words, extra
regular expressions and an allow-list; per staff-draft rule (§.12): on or off and extra
patterns; thresholds for the trained models. `load_rules` checks the whole file before anything
uses it and refuses a bad one with the line number and the reason (`RulesError`), so the
ruleset already running stays as it was.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from piodesk.screening.detectors.lexicon import Entry, parse_lexicon
from piodesk.screening.model import Category, DraftRule

DEFAULT_RULES_NAME = "default_rules.yaml"
#: The shipped rules with every person's name a pii finding (`person_names: "all"`).
ALL_NAMES_RULES_NAME = "all_names_rules.yaml"


class RulesError(ValueError):
    """A rules file that cannot be used; says where (line) and why."""

    def __init__(self, line: int | None, reason: str, source: str = "rules") -> None:
        self.line = line
        self.reason = reason
        self.source = source
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class AgencyPattern:
    """A regular expression an agency adds to a category or draft rule."""

    name: str
    regex: str
    score: float = 0.8
    flags: int = re.IGNORECASE
    normalized: bool = False  # match the evasion-folded text instead of the original
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class CategoryRules:
    """How one §.20 category is screened."""

    enabled: bool = True
    threshold: float = 0.5
    words: tuple[Entry, ...] = ()
    patterns: tuple[AgencyPattern, ...] = ()
    allow: tuple[str, ...] = ()
    #: pii only: when a person's name is a finding (see PERSON_NAME_MODES)
    person_names: str = "with_details"


#: `categories.pii.person_names`: when a name is a §.20 finding. "with_details" (shipped): only
#: in a text that also gives personal details (phone, address, plate...), since comments name
#: the chief and officers all the time and that is protected speech; "all": every name the
#: name finder locates (e.g. an export screened before a public-records release);
#: "off": names are never findings.
PERSON_NAME_MODES = ("with_details", "all", "off")


@dataclass(frozen=True, slots=True)
class DraftRules:
    """How staff drafts are screened (§.12)."""

    enabled: bool = True
    threshold: float = 0.5
    rules: dict[str, bool] = field(default_factory=lambda: {r.value: True for r in DraftRule})
    patterns: dict[str, tuple[AgencyPattern, ...]] = field(default_factory=dict)
    allow: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A checked rules file, ready for the screener."""

    version: str  # as written in the file, e.g. "default-2026.11.1"
    digest: str  # sha256 of the file's bytes
    categories: dict[str, CategoryRules]
    drafts: DraftRules
    disabled_rules: frozenset[str] = frozenset()
    models_enabled: bool = True
    model_thresholds: dict[str, float] = field(default_factory=dict)
    allow: tuple[str, ...] = ()
    source: str = "rules"

    @property
    def version_string(self) -> str:
        """The version that goes into every result: "default-2026.11.1+sha256:abcd1234"."""
        return f"{self.version}+sha256:{self.digest[:8]}"


# --- checking --------------------------------------------------------------------------------


class _Checker:
    """Walks the YAML node tree, so that every complaint can name its line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node | None, reason: str) -> RulesError:
        line = node.start_mark.line + 1 if node is not None else None
        return RulesError(line, reason, self.source)

    def mapping(
        self, node: yaml.Node, what: str, allowed: set[str]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping (key: value lines)")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise self.fail(k, f"{what}: keys must be plain words")
            key = str(k.value)
            if key not in allowed:
                raise self.fail(
                    k,
                    f"unknown key {key!r} in {what}; expected one of {', '.join(sorted(allowed))}",
                )
            if key in out:
                raise self.fail(k, f"{key!r} appears twice in {what}")
            out[key] = (k, v)
        return out

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{what} must be a single value")
        return str(node.value)

    def string(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what)
        if node.tag != "tag:yaml.org,2002:str":
            raise self.fail(node, f"{what} must be text (put it in quotes), not {value!r}")
        return value

    def boolean(self, node: yaml.Node, what: str) -> bool:
        value = self.scalar(node, what)
        if node.tag != "tag:yaml.org,2002:bool":
            raise self.fail(node, f"{what} must be true or false, not {value!r}")
        return value.lower() in ("true", "yes", "on")

    def number(self, node: yaml.Node, what: str, lo: float = 0.0, hi: float = 1.0) -> float:
        value = self.scalar(node, what)
        if node.tag not in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int"):
            raise self.fail(
                node, f"{what} must be a number between {lo:g} and {hi:g}, not {value!r}"
            )
        x = float(value)
        if not lo <= x <= hi:
            raise self.fail(node, f"{what} must be between {lo:g} and {hi:g}, not {value}")
        return x

    def strings(self, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str]]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list (lines starting with '- ')")
        return [(item, self.string(item, f"an item of {what}")) for item in node.value]

    def words(self, node: yaml.Node, what: str) -> tuple[Entry, ...]:
        out: list[Entry] = []
        for item, text in self.strings(node, what):
            entries = parse_lexicon([text])
            if len(entries) != 1:
                raise self.fail(item, f"an item of {what} must be 'WORD [score] [flags]'")
            e = entries[0]
            if not 0.0 <= e.score <= 1.0:
                raise self.fail(item, f"score of {e.word!r} must be between 0 and 1")
            out.append(e)
        return tuple(out)

    def patterns(self, node: yaml.Node, what: str) -> tuple[AgencyPattern, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list of {{name, regex, score}} entries")
        out = []
        names = set()
        for item in node.value:
            m = self.mapping(
                item,
                f"a pattern in {what}",
                {"name", "regex", "score", "case_sensitive", "normalized", "explanation"},
            )
            for required in ("name", "regex"):
                if required not in m:
                    raise self.fail(item, f"a pattern in {what} needs a {required!r}")
            name = self.string(m["name"][1], "name")
            if not re.fullmatch(r"[a-z0-9_]+", name):
                raise self.fail(m["name"][1], f"pattern name {name!r}: use a-z, 0-9 and _ only")
            if name in names:
                raise self.fail(m["name"][1], f"pattern name {name!r} is used twice in {what}")
            names.add(name)
            regex_node = m["regex"][1]
            regex = self.string(regex_node, "regex")
            flags: int = re.IGNORECASE
            if "case_sensitive" in m and self.boolean(m["case_sensitive"][1], "case_sensitive"):
                flags = 0
            try:
                re.compile(regex, flags)
            except re.error as exc:
                raise self.fail(regex_node, f"invalid regex {regex!r}: {exc}") from None
            if re.compile(regex, flags).search("") is not None:
                raise self.fail(regex_node, f"regex {regex!r} matches empty text")
            score = self.number(m["score"][1], "score") if "score" in m else 0.8
            normalized = "normalized" in m and self.boolean(m["normalized"][1], "normalized")
            explanation = (
                self.string(m["explanation"][1], "explanation") if "explanation" in m else ""
            )
            out.append(AgencyPattern(name, regex, score, flags, normalized, explanation))
        return tuple(out)


_CATEGORY_KEYS = {"enabled", "threshold", "words", "patterns", "allow"}
_PII_KEYS = _CATEGORY_KEYS | {"person_names"}


def parse_rules(text: str, source: str = "rules") -> RuleSet:
    """Check and build a ruleset from YAML text; raise RulesError naming the line on any fault."""
    ck = _Checker(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise RulesError(line, f"not valid YAML: {exc.problem or exc}", source) from None
    except yaml.YAMLError as exc:
        raise RulesError(None, f"not valid YAML: {exc}", source) from None
    if root is None:
        raise RulesError(1, "the file is empty; it needs at least a 'version:'", source)
    top = ck.mapping(
        root,
        "the rules file",
        {"version", "categories", "drafts", "disabled_rules", "models", "allow"},
    )
    if "version" not in top:
        raise ck.fail(root, "the rules file needs a 'version:' line")
    version = ck.scalar(top["version"][1], "version").strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", version):
        raise ck.fail(top["version"][1], f"version {version!r}: use letters, digits, '.', '-', '_'")

    categories = {c.value: CategoryRules() for c in Category}
    if "categories" in top:
        cats = ck.mapping(top["categories"][1], "categories", {c.value for c in Category})
        for name, (_k, node) in cats.items():
            m = ck.mapping(
                node, f"categories.{name}", _PII_KEYS if name == "pii" else _CATEGORY_KEYS
            )
            person_names = "with_details"
            if "person_names" in m:
                person_names = ck.string(m["person_names"][1], "pii.person_names")
                if person_names not in PERSON_NAME_MODES:
                    raise ck.fail(
                        m["person_names"][1],
                        f"pii.person_names must be one of {', '.join(PERSON_NAME_MODES)}, "
                        f"not {person_names!r}",
                    )
            categories[name] = CategoryRules(
                person_names=person_names,
                enabled=ck.boolean(m["enabled"][1], f"{name}.enabled") if "enabled" in m else True,
                threshold=(
                    ck.number(m["threshold"][1], f"{name}.threshold") if "threshold" in m else 0.5
                ),
                words=ck.words(m["words"][1], f"{name}.words") if "words" in m else (),
                patterns=ck.patterns(m["patterns"][1], f"{name}.patterns")
                if "patterns" in m
                else (),
                allow=tuple(s for _n, s in ck.strings(m["allow"][1], f"{name}.allow"))
                if "allow" in m
                else (),
            )

    drafts = DraftRules()
    if "drafts" in top:
        d = ck.mapping(top["drafts"][1], "drafts", {"enabled", "threshold", "rules", "allow"})
        enabled_rules = {r.value: True for r in DraftRule}
        patterns: dict[str, tuple[AgencyPattern, ...]] = {}
        if "rules" in d:
            rules_map = ck.mapping(d["rules"][1], "drafts.rules", {r.value for r in DraftRule})
            for rname, (_k, node) in rules_map.items():
                rm = ck.mapping(node, f"drafts.rules.{rname}", {"enabled", "patterns"})
                if "enabled" in rm:
                    enabled_rules[rname] = ck.boolean(rm["enabled"][1], f"{rname}.enabled")
                if "patterns" in rm:
                    patterns[rname] = ck.patterns(rm["patterns"][1], f"drafts.rules.{rname}")
        drafts = DraftRules(
            enabled=ck.boolean(d["enabled"][1], "drafts.enabled") if "enabled" in d else True,
            threshold=ck.number(d["threshold"][1], "drafts.threshold") if "threshold" in d else 0.5,
            rules=enabled_rules,
            patterns=patterns,
            allow=tuple(s for _n, s in ck.strings(d["allow"][1], "drafts.allow"))
            if "allow" in d
            else (),
        )

    disabled: set[str] = set()
    if "disabled_rules" in top:
        for item, rid in ck.strings(top["disabled_rules"][1], "disabled_rules"):
            if not re.fullmatch(r"[a-z_]+\.[a-z0-9_.]+", rid):
                raise ck.fail(item, f"{rid!r} is not a rule id like 'pii.ip'")
            if rid.split(".", 1)[0] not in categories:
                raise ck.fail(item, f"{rid!r}: unknown category {rid.split('.', 1)[0]!r}")
            disabled.add(rid)

    models_enabled = True
    thresholds: dict[str, float] = {}
    if "models" in top:
        mm = ck.mapping(top["models"][1], "models", {"enabled", "thresholds"})
        if "enabled" in mm:
            models_enabled = ck.boolean(mm["enabled"][1], "models.enabled")
        if "thresholds" in mm:
            tnode = mm["thresholds"][1]
            if not isinstance(tnode, yaml.MappingNode):
                raise ck.fail(tnode, "models.thresholds must map a model id to a number")
            for k, v in tnode.value:
                thresholds[ck.string(k, "a model id")] = ck.number(v, f"threshold of {k.value}")

    allow: tuple[str, ...] = ()
    if "allow" in top:
        allow = tuple(s for _n, s in ck.strings(top["allow"][1], "allow"))

    return RuleSet(
        version=version,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        categories=categories,
        drafts=drafts,
        disabled_rules=frozenset(disabled),
        models_enabled=models_enabled,
        model_thresholds=thresholds,
        allow=allow,
        source=source,
    )


def load_rules(path: Path | None = None) -> RuleSet:
    """Read a rules file (the shipped default when `path` is None) and check it whole."""
    if path is None:
        return load_shipped_rules(DEFAULT_RULES_NAME)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(None, f"cannot read the file: {exc}", str(path)) from None
    return parse_rules(text, str(path))


def load_shipped_rules(name: str = DEFAULT_RULES_NAME) -> RuleSet:
    """One of the rules files shipped inside the package (DEFAULT_RULES_NAME, ...)."""
    text = resources.files("piodesk.screening").joinpath(name).read_text(encoding="utf-8")
    return parse_rules(text, name)

"""The person-name finder's word lists, read from Faker in a short-lived child process.

`models/names.py` needs three sets of words: the first and last names of every Latin-script
locale that Faker ships, and common words (Faker's English word list and country names) that
are rarely a name alone. Faker keeps them in about a hundred locale modules; importing them
into a screening process kept some 15 MB of module code for the whole life of the process,
for 40,000 short strings. So `load()` has

    python -m piodesk.screening.gazetteer

import Faker, collect the words and write them back as JSON (under 1 MB), and keeps that
file beside the compiled gates (`gatebuild.cache_dir()`), under the digest of Faker's version,
of this file and of the words asked to be left out: the next process reads the file in
milliseconds, and a new Faker or a change here is never served from an old file. When the
child cannot run, the lists are read in process, as before; either way they are the same.

Imports nothing of piodesk but gatebuild (which imports nothing of piodesk), so the child
starts fast.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import pkgutil
import re
import sys
from pathlib import Path

from piodesk.screening import gatebuild

log = logging.getLogger(__name__)

#: (first names, last names, common words), lower-cased.
Lists = tuple[frozenset[str], frozenset[str], frozenset[str]]

_LATIN = re.compile(r"^[A-Za-zÀ-ɏ'’\-]+$")

#: Seconds the child may take (it imports Faker's locales: about a second).
CHILD_TIMEOUT = 120


def build(not_names: frozenset[str], country_words: frozenset[str]) -> dict[str, list[str]]:
    """The three lists, from Faker when installed (empty lists when not).

    `not_names` joins the common words; `country_words` ("england", "norway") are taken out
    of the names.
    """
    try:
        import faker.providers.person as person
        from faker.providers.address.en_US import Provider as Address
        from faker.providers.lorem.en_US import Provider as Lorem
    except ImportError:
        return {"first": [], "last": [], "common": []}
    first: set[str] = set()
    last: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"{person.__name__}.{info.name}").Provider
        except (ImportError, AttributeError):
            continue
        for attr, bucket in (
            ("first_names", first),
            ("first_names_male", first),
            ("first_names_female", first),
            ("first_names_nonbinary", first),
            ("last_names", last),
            ("last_names_male", last),
            ("last_names_female", last),
        ):
            names = vars(provider).get(attr)  # some locales define these as properties
            if isinstance(names, (list, tuple, dict)):
                bucket.update(n.lower() for n in names if isinstance(n, str) and _LATIN.match(n))
    common = {w.lower() for w in Lorem.word_list} | not_names
    for country in Address.countries:
        words = country.lower().split()
        # "Norway" is not a name; "Saint Martin" does not make "Martin" an ordinary word
        common.update(w for w in words if len(words) == 1 or (w not in first and w not in last))
    first -= country_words
    last -= country_words
    return {"first": sorted(first), "last": sorted(last), "common": sorted(common)}


def _as_lists(answer: dict[str, list[str]]) -> Lists:
    return frozenset(answer["first"]), frozenset(answer["last"]), frozenset(answer["common"])


def _cache_file(request: str) -> Path | None:
    folder = gatebuild.cache_dir()
    if folder is None:
        return None
    try:
        from importlib.metadata import PackageNotFoundError, version

        faker_version = version("faker")
    except (ImportError, PackageNotFoundError):
        return None  # no Faker: nothing worth keeping
    h = hashlib.sha256()
    h.update(faker_version.encode())
    h.update(Path(__file__).read_bytes())
    h.update(request.encode())
    return folder / f"names-{h.hexdigest()}.json"


def _from_cache(path: Path | None) -> Lists | None:
    if path is None or not path.is_file():
        return None
    try:
        return _as_lists(json.loads(path.read_bytes()))
    except Exception:  # noqa: BLE001 - unreadable: read Faker again, replace it
        log.info("name lists: cached %s did not load; reading Faker again", path.name)
        return None


def _in_child(request: str) -> bytes | None:
    return gatebuild.run_module_in_child(
        "piodesk.screening.gazetteer", request, CHILD_TIMEOUT, "name lists"
    )


def load(not_names: frozenset[str], country_words: frozenset[str]) -> Lists:
    """The three lists: from the cache, else from a child process, else read here."""
    request = json.dumps({"not_names": sorted(not_names), "country_words": sorted(country_words)})
    if sys.executable and not os.environ.get("PIODESK_GATE_IN_PROCESS"):
        cached = _cache_file(request)
        found = _from_cache(cached)
        if found is not None:
            return found
        out = _in_child(request)
        if out is not None:
            try:
                lists = _as_lists(json.loads(out))
            except Exception:  # noqa: BLE001 - a broken answer: read Faker here
                log.info("name lists: the child's answer did not load; reading in process")
            else:
                if cached is not None:
                    gatebuild.write_cache(cached, out)
                return lists
    return _as_lists(build(not_names, country_words))


def main() -> int:
    """Read {"not_names": [...], "country_words": [...]} on stdin; write the three lists."""
    request = json.loads(sys.stdin.buffer.read())
    answer = build(frozenset(request["not_names"]), frozenset(request["country_words"]))
    sys.stdout.buffer.write(json.dumps(answer).encode("ascii"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The values that follow where a device stands, not its language (issue 15, hazard log H05):
countries.values.yaml -> schema check -> `Countries`, and `Countries.content_in()`, which gives
a locale's Content with the country's values (emergency number, emergency place, same-day
care) and the locale's own words, so the whole core runs unchanged.

A country with content of its own in the locale's language takes that content's values (an
en-US device in the UK: en-GB's 999, A&E and NHS 111); any other country in the table takes its
emergency number and the language's generic words (`elsewhere`). A country not in the table, or
a language without words for elsewhere, changes nothing: the locale's own values, as before."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping, Optional, Union

import yaml

from skill._paths import CONTENT_DIR
from skill.content.loader import SAFE_LOADER, Content, load_content
from skill.content.schema import ContentError, MapOf, Problem, Record, Text, Version, ListOf

COUNTRIES_PATH = CONTENT_DIR / "countries.values.yaml"
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")          # ISO 3166-1 alpha-2, as the Alexa API gives it
_DIALLED = re.compile(r"^[0-9]{2,6}$")             # a short emergency number, as dialled


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    emergency_number: str
    references: tuple
    content: Mapping[str, str]      # language -> the locale whose values are right here


@dataclass(frozen=True)
class Countries:
    version: str
    countries: Mapping[str, Country]
    elsewhere: Mapping[str, Mapping[str, str]]   # language -> emergency_place, same_day_care

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.countries

    def values_for(self, code: str, language: str,
                   locale_values: Callable[[str], Mapping[str, str]]) -> Optional[Mapping[str, str]]:
        """The values for a device in country `code` speaking `language`, or None (the locale's
        own then). `locale_values(locale)` gives a content locale's values."""
        country = self.countries.get(code)
        if country is None:
            return None
        own = country.content.get(language)
        if own is not None:
            return locale_values(own)
        words = self.elsewhere.get(language)
        if words is None:
            return None
        return MappingProxyType({"emergency_number": country.emergency_number, **words})


def _schema() -> Record:
    references = ListOf(Text())
    country = Record(required={"name": Text(), "emergency_number": Text(),
                               "references": references},
                     optional={"content": MapOf(Text(), key_pattern=r"^[a-z]{2}$"),
                               "note": Text()})
    return Record(required={
        "version": Version(),
        "references": MapOf(Text()),
        "elsewhere": MapOf(Record(required={"emergency_place": Text(), "same_day_care": Text(),
                                            "references": references},
                                  optional={"note": Text()}), key_pattern=r"^[a-z]{2}$"),
        "countries": MapOf(country, key_pattern=r"^[A-Z]{2}$"),
    })


def _cross_checks(raw) -> list:
    problems, known = [], set(raw["references"])
    for language, words in raw["elsewhere"].items():
        problems += [Problem(("elsewhere", language, "references", index),
                             f"unknown reference {ref!r}")
                     for index, ref in enumerate(words["references"]) if ref not in known]
    for code, country in raw["countries"].items():
        path = ("countries", code)
        problems += [Problem(path + ("references", index), f"unknown reference {ref!r}")
                     for index, ref in enumerate(country["references"]) if ref not in known]
        if not _DIALLED.match(country["emergency_number"]):
            problems.append(Problem(path + ("emergency_number",),
                                    "must be the number as dialled: digits only, in quotes"))
        for language, locale in (country.get("content") or {}).items():
            if not (CONTENT_DIR / f"{locale}.yaml").is_file():
                problems.append(Problem(path + ("content", language),
                                        f"no content file for locale {locale!r}"))
            elif locale.split("-")[0].lower() != language:
                problems.append(Problem(path + ("content", language),
                                        f"{locale!r} is not in language {language!r}"))
    return problems


def load_countries_file(path: Union[str, Path]) -> Countries:
    """Load and check the countries' values; raises ContentError listing every problem."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(str(path), [Problem((), f"cannot be read: {error}")]) from error
    problems = list(_schema().check(raw, ()))
    if not problems:
        problems = _cross_checks(raw)
    if problems:
        raise ContentError(str(path), problems)
    return Countries(
        version=raw["version"],
        countries=MappingProxyType({
            code: Country(code, entry["name"], entry["emergency_number"],
                          tuple(entry["references"]),
                          MappingProxyType(dict(entry.get("content") or {})))
            for code, entry in raw["countries"].items()}),
        elsewhere=MappingProxyType({
            language: MappingProxyType({"emergency_place": words["emergency_place"].strip(),
                                        "same_day_care": words["same_day_care"].strip()})
            for language, words in raw["elsewhere"].items()}))


@functools.lru_cache(maxsize=None)
def load_countries() -> Countries:
    """The checked countries' values, loaded once per process."""
    return load_countries_file(COUNTRIES_PATH)


def content_resolver_for_country(countries: Countries, contents: Mapping[str, Content]):
    """A function (content, country code or None, the device's locale) -> the content to speak
    with: `content` itself where the country changes nothing, else a copy with the country's
    values that serves the region. Never across languages: a French device given English
    content (no French content) is not made to serve France in English. Worked out once per
    (content, country), not on every turn."""
    resolved: dict = {}

    def locale_values(locale: str) -> Mapping[str, str]:
        # A skill built with some locales only (tests) still knows every country's values.
        return (contents.get(locale) or load_content(locale)).values

    def content_in(content: Content, country: Optional[str], device_locale: Optional[str]) -> Content:
        language = content.locale.split("-")[0].lower()
        if country not in countries or not isinstance(device_locale, str) \
                or device_locale.split("-")[0].lower() != language:
            return content
        # (locale, serves_region) names each Content a resolver hands out; Content itself is
        # not hashable (its mappings are not).
        key = (content.locale, content.serves_region, country)
        if key not in resolved:
            values = countries.values_for(country, language, locale_values)
            resolved[key] = content if values is None else replace(
                content, values=MappingProxyType(dict(values)), serves_region=True)
        return resolved[key]
    return content_in

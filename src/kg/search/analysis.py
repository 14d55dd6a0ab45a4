"""Words for the lexical index: accent folding, French and English stemming (Snowball, PyStemmer), stop words.

A French text is stemmed with the French stemmer, an English one with the English stemmer, an untagged one
(codes, scientific names) with neither. A query's language is not known, so each of its words is looked up
under every form: as written, and its French and English stems. The Russian and Arabic names of the taxa
(data/turtle/names.ttl) are stemmed with the Russian and Arabic stemmers, and so are a query's words written in
Cyrillic or Arabic letters only ("сайгаков" finds "сайгак", "السايغا" finds "سايغا" and "السايغا"); Spanish and
Chinese names are indexed as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH

_WORD = re.compile(r"[^\W_]+(?:[.'’-][^\W_]+)*")
_STEMMERS = {"fr": Stemmer.Stemmer("french"), "en": Stemmer.Stemmer("english")}
_SCRIPT_STEMMERS = {"ru": Stemmer.Stemmer("russian"), "ar": Stemmer.Stemmer("arabic")}
"""Stemmers applied to a query's words only when they are written in the language's script."""
_SCRIPTS = {"ru": re.compile(r"[\u0400-\u04ff]"), "ar": re.compile(r"[\u0600-\u06ff]")}


def fold(text: str) -> str:
    """Lower case without accents or ligatures: "Clôtures frontalières" → "clotures frontalieres"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def stopwords() -> frozenset[str]:
    return frozenset(fold(w) for w in (*STOPWORDS_EN, *STOPWORDS_FRENCH))


@lru_cache(maxsize=1 << 16)
def words(text: str) -> tuple[str, ...]:
    """The folded words of ``text`` in order, stop words kept (phrases and snippets need them). Memoised: the
    documents' texts are read again for every snippet."""
    return tuple(_split_elision(w) for w in _WORD.findall(fold(text)))


def _split_elision(word: str) -> str:
    """ "l'environnement" → "environnement" (French elided articles and pronouns)."""
    head, sep, tail = word.replace("’", "'").partition("'")
    return tail if sep and len(head) <= 2 and tail else word


@lru_cache(maxsize=1 << 16)
def terms(text: str, lang: str) -> tuple[str, ...]:
    """The index terms of a text in language ``lang`` ("fr", "en" or "" for untagged); memoised as ``words``."""
    kept = [w for w in words(text) if w not in stopwords()]
    stemmer = _STEMMERS.get(lang) or _SCRIPT_STEMMERS.get(lang)
    return tuple(stemmer.stemWords(kept) if stemmer else kept)


def query_terms(text: str) -> list[str]:
    """Every form under which the words of a query may have been indexed."""
    kept = [w for w in words(text) if w not in stopwords()] or list(words(text))
    forms = dict.fromkeys(kept)
    for stemmer in _STEMMERS.values():
        forms.update(dict.fromkeys(stemmer.stemWords(kept)))
    for lang, stemmer in _SCRIPT_STEMMERS.items():
        forms.update(dict.fromkeys(stemmer.stemWords([w for w in kept if _SCRIPTS[lang].search(w)])))
    return list(forms)


@dataclass(frozen=True)
class Query:
    """A parsed query: its free text and its quoted phrases (each must occur, folded, in the document)."""

    text: str
    phrases: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str) -> Query:
        phrases = tuple(" ".join(words(p)) for p in re.findall(r'"([^"]+)"', raw) if words(p))
        return cls(raw.replace('"', " "), phrases)

"""Words for the lexical index: accent folding, stemming (Snowball, PyStemmer), Chinese bigrams, stop words.

A text is stemmed with the Snowball stemmer of its language (French, English, Spanish, Russian, Arabic), an
untagged one (codes, scientific names) with none. Chinese, written without spaces, is cut into overlapping
pairs of characters, as Lucene's CJK analyser does. A query's language is not known, so each of its words is
looked up under every form its script allows: as written, and its stems in the languages written that way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_CHINESE, STOPWORDS_EN, STOPWORDS_FRENCH, STOPWORDS_RUSSIAN

_WORD = re.compile(r"[^\W_]+(?:[.'’-][^\W_]+)*")
_STEMMERS = {
    lang: Stemmer.Stemmer(name)
    for lang, name in (("fr", "french"), ("en", "english"), ("es", "spanish"), ("ru", "russian"), ("ar", "arabic"))
}
_SCRIPTS = (
    (re.compile(r"[\u0400-\u04ff]"), ("ru",)),  # Cyrillic
    (re.compile(r"[\u0600-\u06ff\u0750-\u077f]"), ("ar",)),  # Arabic
    (re.compile(r"[a-z]"), ("fr", "en", "es")),  # Latin (folded)
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def fold(text: str) -> str:
    """Lower case without accents or ligatures: "Clôtures frontalières" → "clotures frontalieres"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def stopwords() -> frozenset[str]:
    return frozenset(fold(w) for w in (*STOPWORDS_EN, *STOPWORDS_FRENCH, *STOPWORDS_RUSSIAN, *STOPWORDS_CHINESE))


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
    """The index terms of a text in language ``lang`` (a BCP 47 tag, "" for untagged); memoised as ``words``."""
    stemmer = _STEMMERS.get(lang.partition("-")[0].lower())
    found: list[str] = []
    for word in words(text):
        if _HAN.search(word):
            found.extend(bigrams(word))
        elif word not in stopwords():
            found.append(stemmer.stemWord(word) if stemmer else word)
    return tuple(found)


def bigrams(word: str) -> list[str]:
    """Chinese text as overlapping pairs of characters ("赛加羚羊" → 赛加, 加羚, 羚羊); one character stays one."""
    return [word[i : i + 2] for i in range(max(1, len(word) - 1))]


def query_terms(text: str) -> list[str]:
    """Every form under which the words of a query may have been indexed."""
    kept = [w for w in words(text) if w not in stopwords()] or list(words(text))
    return list(dict.fromkeys(form for word in kept for form in word_forms(word)))


@lru_cache(maxsize=1 << 16)
def word_forms(word: str) -> tuple[str, ...]:
    """The forms a folded word may have in an index: itself and its stems in the languages of its script, or
    its character pairs if it is Chinese."""
    if _HAN.search(word):
        return tuple(bigrams(word))
    for script, languages in _SCRIPTS:
        if script.search(word):
            return tuple(dict.fromkeys([word, *(_STEMMERS[lang].stemWord(word) for lang in languages)]))
    return (word,)


@dataclass(frozen=True)
class Query:
    """A parsed query: its free text and its quoted phrases (each must occur, folded, in the document)."""

    text: str
    phrases: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str) -> Query:
        phrases = tuple(" ".join(words(p)) for p in re.findall(r'"([^"]+)"', raw) if words(p))
        return cls(raw.replace('"', " "), phrases)

"""Errors as HTML pages for browsers: a person who follows a broken link reads a page in their language (English
or French, by ``?lang=`` or ``Accept-Language``) with a way on; API clients keep problem+json. Chosen by the
``Accept`` header: only a range that names ``text/html`` gets the page, never a wildcard."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from ..accept import choose, choose_language
from ..formats import HTML
from .rendering import templates

LANGUAGES = ("en", "fr")
VARY = "Accept, Accept-Language"
"""Both answers to an error, the page and the problem document, vary by these."""
TITLES = {
    "en": {400: "Bad request", 404: "Page not found", 405: "Method not allowed", 406: "No acceptable format",
           500: "Internal error", 502: "Remote endpoint failed", 503: "Service unavailable"},
    "fr": {400: "Requête incorrecte", 404: "Page introuvable", 405: "Méthode non permise",
           406: "Aucun format acceptable", 500: "Erreur interne", 502: "Le service distant a échoué",
           503: "Service indisponible"},
}  # fmt: skip
"""Page titles by language and status; another status shows the problem's own (English) title."""


def wants_html(request: Request, problem_type: str) -> bool:
    """Whether the client prefers an HTML page to ``problem_type`` (it names text/html in Accept, above JSON)."""
    offers = [problem_type, "application/json", *HTML]
    index = choose(request.headers.get("accept"), offers, named_only=HTML)
    return index is not None and offers[index] in HTML


def language(request: Request) -> str:
    """The page's language: ``?lang=`` when it is en or fr, else the one Accept-Language prefers, else English."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    return choose_language(request.headers.get("accept-language"), LANGUAGES) or "en"


def page(request: Request, status: int, title: str, detail: str, headers: dict[str, str]) -> Response:
    """The error page: its title in the reader's language, the problem's detail (English) and links on."""
    lang = language(request)
    translated = TITLES[lang].get(status)
    context = {
        "lang": lang,
        "status": status,
        "title": translated or title,
        "title_lang": lang if translated else "en",
        "detail": detail,
        "path": request.url.path,
    }
    return templates.TemplateResponse(
        request, "error.html", context, status_code=status, headers={**headers, "Vary": VARY, "Content-Language": lang}
    )

"""Synthetic mea-kg datasets with the shape of the real graph, to benchmark how the service scales with data.

``generate(triples, out, seed=0)`` streams an N-Quads file of about ``triples`` quads (±5 %), the same for the same
size and seed, and returns its counts. CLI: ``python bench/synthetic.py --triples 1M --out /tmp/syn-1M.nq``.

* Copied from the real graph, loaded and reasoned by kg itself: the ontology, conventions, appendices, priorities,
  keywords, the real countries, landscapes, sites and actors, and the resources the canned queries name
  (programme/jwp, programme/cami, Resolution 11.24, CMS COP11: their own statements only).
* Synthetic, at scale s (s = 1 ≈ the real graph), in the real named graphs and proportions: pairs of programmes
  shaped like the JWP and the CAMI (the first pair under the real programme IRIs) with their headings,
  activities, responsibilities, sub-items, resolution and meeting; pools of taxa (a forest of real-sized trees),
  dated listings, non-listings, name usages, instruments, actors, countries, landscapes and sites. IRIs follow
  the real patterns with a ``syn-`` segment (activity/syn-p3/2.1.4, taxon/syn-000123).
* The inferred graph exactly as kg's rules materialise it from the rest.

Links pick pool members with a skew (index ∝ u²; the canned queries' default IRIs first, then the real hubs by
degree), and each programme pair works with its own real-sized sets of taxa, actors, places and instruments drawn
from the pools, so hubs stay hubs and every canned query has rows at every size from 10k quads.
"""

from __future__ import annotations

import argparse
import collections
import functools
import itertools
import json
import random
import time
from pathlib import Path

import pyoxigraph as ox

from kg import catalogue, reason, sources
from kg.config import Settings
from kg.namespaces import DCTERMS, DWC, GRAPH, ID, MEA, RDF, RDFS, XSD

REFERENCE = {"ontology", "conventions", "priorities", "keywords", "countries", "places", "actors"}
SHELLS = ("programme/jwp", "programme/cami", "document/cms-resolution-11.24", "meeting/cms-cop11")
COVERED = {
    MEA + "parentTaxon",
    MEA + "targetsTaxon",
    MEA + "targetsTaxonOrNarrower",
}  # the closures infer their super-property
RANKS = {"class": "ia", "order": "formes", "family": "idae", "genus": "us", "species": "", "subspecies": ""}
LISTED = {
    "family": 0.18,
    "genus": 0.19,
    "species": 0.87,
    "subspecies": 1.0,
}  # share of the real taxa with dated listings
PRIORITIES = {"high": 38, "high-medium": 43, "medium": 42, "low": 4, "medium-low": 1, "pending-gap-analysis": 1}
INSTRUMENTS = {
    "Partnership": 12,
    "Programme": 9,
    "InformationResource": 9,
    "ActionPlan": 4,
    "MemorandumOfUnderstanding": 3,
    "Fund": 3,
    "Agreement": 3,
}
FR = [
    "conservation", "espèces", "migratrices", "habitat", "suivi", "coopération", "régionale", "gestion",
    "durable", "commerce", "illégal", "renforcer", "capacités",
]  # fmt: skip
EN = [
    "conservation", "migratory", "species", "habitat", "monitoring", "regional", "cooperation", "sustainable",
    "management", "illegal", "trade", "capacity",
]  # fmt: skip
SYL = ["ba", "co", "di", "fu", "ga", "li", "mo", "ra", "su", "ti", "ve", "xa"]
TYPE, LABEL, SUBJECT, NAME, RANK = (
    f"<{RDF}type>",
    f"<{RDFS}label>",
    f"<{DCTERMS}subject>",
    f"<{DWC}scientificName>",
    f"<{DWC}taxonRank>",
)
CMS, CITES, COP = f"<{ID}convention/cms>", f"<{ID}convention/cites>", f"<{ID}actor/cms-conference-of-the-parties>"
SECRETARIATS = [f"<{ID}actor/cms-secretariat>", f"<{ID}actor/cites-secretariat>"]


def iri(path: str) -> str:
    return f"<{ID}{path}>"


def lit(value, lang: str = "", dtype: str = "") -> str:
    v = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{v}"@{lang}' if lang else f'"{v}"^^<{XSD}{dtype}>' if dtype else f'"{v}"'


def latin(i: int) -> str:
    return SYL[i % len(SYL)] + (latin(i // len(SYL)) if i >= len(SYL) else "")


class Real:
    """What the generator takes from the real graph: quads to copy, the ontology's closures, pools and counts."""

    def __init__(self):
        settings = Settings()
        full = sources.load(sources.source_files(settings))
        ref, shells = ox.Store(), {ox.NamedNode(ID + s) for s in SHELLS}
        ref.extend(q for q in full if q.graph_name.value.removeprefix(GRAPH) in REFERENCE or q.subject in shells)
        reason.materialise(ref)
        dataset = ox.Dataset(ref)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)  # stable blank-node labels → stable output
        self.nquads = b"".join(sorted(ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)))
        self.quads, self.graphs = len(ref), collections.Counter(q.graph_name.value.removeprefix(GRAPH) for q in ref)

        def ask(store, where, select="?x"):
            query = f"PREFIX mea: <{MEA}> PREFIX rdfs: <{RDFS}> PREFIX dwc: <{DWC}> SELECT {select} {{ {where} }}"
            return [[str(t) for t in row] for row in store.query(query, use_default_graph_as_union=True)]

        def closure(p):
            supers = collections.defaultdict(list)
            for x, s in ask(ref, f"?x {p}+ ?s FILTER(isIRI(?x) && isIRI(?s))", "?x ?s"):
                supers[x].append(s)
            return {x: sorted(v) for x, v in supers.items() if x[1:-1] not in COVERED}

        self.supers, self.superprops = closure("rdfs:subClassOf"), closure("rdfs:subPropertyOf")
        degree = collections.Counter(
            x for (x,) in ask(full, "?s mea:actor|mea:concernsCountry|mea:inLandscape|mea:concernsPlace ?x")
        )
        hubs = {
            f"<{p.default}>"
            for q in catalogue.load(settings.queries_dir).values()
            for p in q.params
            if p.type == "iri" and p.default
        }

        def pool(where):  # the canned queries' defaults first, then by degree in the real graph
            return sorted(dict.fromkeys(x for (x,) in ask(ref, where)), key=lambda x: (x not in hubs, -degree[x], x))

        self.pools = {
            "countries": pool("?x a mea:Country"),
            "landscapes": pool("?x a mea:Landscape"),
            "sites": pool("?x a mea:Site"),
            "actors": pool("?x a mea:Actor"),
            "keywords": pool(f"GRAPH <{GRAPH}keywords> {{ ?x a ?c }} FILTER(CONTAINS(STR(?x), '/keyword/'))"),
        }
        self.rangestates = pool(f"<{ID}programme/cami> mea:rangeState ?x")
        self.activities = {
            p: len(ask(full, f"?x a mea:Activity ; mea:programme <{ID}programme/{p}>")) for p in ("jwp", "cami")
        }
        self.ranks = collections.Counter(
            r.strip('"').replace("subclass", "class") for (r,) in ask(full, "?t dwc:taxonRank ?x")
        )
        self.instruments = len(ask(full, f"GRAPH <{GRAPH}instruments> {{ ?x a ?c }}", "DISTINCT ?x"))
        self.working = {
            k: len(ask(full, f"?s mea:programme ?p ; {p} ?x", "DISTINCT ?x"))
            for k, p in (  # what the real programmes use
                ("taxa", "mea:targetsTaxon"),
                ("actors", "mea:responsibility/mea:actor"),
                ("landscapes", "mea:inLandscape"),
                ("sites", "mea:concernsPlace"),
                ("countries", "mea:concernsCountry|mea:country"),
                ("instruments", "mea:mentions"),
            )
        }


@functools.lru_cache(maxsize=1)
def real() -> Real:
    return Real()


class Taxon:
    __slots__ = ("anc", "cites", "cites1", "cms", "cms1", "desc", "iri", "name", "rank", "slug")


class Writer:
    """Streams the synthetic quads of one scale to ``out``; ``run`` returns what it wrote."""

    def __init__(self, out, ref: Real, scale: float, seed: int):
        self.out, self.ref, self.s, self.rng = out, ref, scale, random.Random(seed)
        self.r = self.rng.random
        self.buf: list[str] = []
        self.graphs: collections.Counter[str] = collections.Counter()
        self.n: collections.Counter[str] = collections.Counter()
        self.pools = {k: list(v) for k, v in ref.pools.items()}
        self.strides: collections.Counter[str] = collections.Counter()
        self.src = iri("section/syn-p1/II")
        self._closures: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        real_codes = {
            x.rsplit("/", 1)[1][:-1] for x in ref.pools["countries"]
        }  # two letters, not the real ones (repeat after 661)
        self.iso = [a + b for a in map(chr, range(65, 91)) for b in map(chr, range(65, 91)) if a + b not in real_codes]

    def q(self, s, p, o, g):
        self.buf.append(f"{s} {p} {o} <{GRAPH}{g}> .\n")
        self.graphs[g] += 1
        if len(self.buf) >= 50_000:
            self.out.write("".join(self.buf))
            self.buf.clear()

    def res(self, x, cls, g, *po, defined=()):
        """``x a cls`` (with its inferred super-classes and defined classes), then predicate/object pairs: an object is
        a term, a (fr, en) pair of texts, a list of terms or None (left out); super-properties are inferred."""
        if cls:
            self.q(x, TYPE, f"<{MEA}{cls}>", g)
            for c in self.closure(f"<{MEA}{cls}>", tuple(f"<{MEA}{d}>" for d in defined)):
                self.q(x, TYPE, c, "inferred")
        for name, o in zip(po[::2], po[1::2], strict=True):
            p = name if name[0] == "<" else f"<{MEA}{name}>"
            if isinstance(o, tuple):
                self.q(x, p, lit(o[0], "fr"), g)
                self.q(x, p, lit(o[1], "en"), g)
            elif o is not None:
                for v in dict.fromkeys(o) if isinstance(o, list) else (o,):
                    self.q(x, p, v, g)
                    for sp in self.ref.superprops.get(p, ()):
                        self.q(x, sp, v, "inferred")
        return x

    def closure(self, cls, defined):
        """The inferred super-classes of ``cls`` and its ``defined`` classes (memoised per writer)."""
        key = (cls, defined)
        if key not in self._closures:
            supers = (s for c in (cls, *defined) for s in self.ref.supers.get(c, ()))
            self._closures[key] = [c for c in dict.fromkeys([*defined, *supers]) if c != cls]
        return self._closures[key]

    def text(self, words=28):
        return " ".join(self.rng.choices(FR, k=words)), " ".join(self.rng.choices(EN, k=words))

    def cite(self):
        return lit(" ".join(self.rng.choices(EN, k=70)))

    def k(self, mean):  # a count with this mean
        return int(mean + self.r())

    def pick(self, pool):  # skewed: pool[0] is the hub
        return pool[int(len(pool) * self.r() ** 2)]

    def some(self, pool, mean):
        return list(dict.fromkeys(self.pick(pool) for _ in range(self.k(mean))))

    def choice(self, weights):
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def every(self, name, n):  # rare features at a fixed stride: exact proportions at every size
        self.strides[name] += 1
        return self.strides[name] % n == 0

    def date(self, lo, hi):
        return f"{self.rng.randint(lo, hi)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def touch(self, x, targets, g):
        """targetsTaxon, with touchesTaxon and targetsTaxonOrNarrower as kg's touches rule infers them."""
        touched = dict.fromkeys(u for t in targets for u in (t, *t.anc, *t.desc))
        self.res(x, None, g, "targetsTaxon", [t.iri for t in targets])
        self.res(
            x,
            None,
            "inferred",
            "touchesTaxon",
            [t.iri for t in touched],
            "targetsTaxonOrNarrower",
            [u.iri for t in targets for u in t.desc],
        )
        return touched

    # -- pools -------------------------------------------------------------------------------------------------------
    def place(self, i, kind, cls, countries):
        return self.res(
            iri(f"{kind}/syn-{i}"),
            cls,
            "countries" if kind == "country" else "places",
            "isoCode",
            lit(self.iso[i % len(self.iso)]) if kind == "country" else None,
            LABEL,
            (f"{kind} synthétique {i}", f"synthetic {kind} {i}"),
            "country",
            self.some(self.pools["countries"], countries),
            "sourceSection",
            self.src,
        )

    def actor(self, i):
        org = self.r() < 0.5
        return self.res(
            iri(f"actor/syn-{i}"),
            "Organisation" if org else "ActorCategory",
            "actors",
            LABEL,
            (f"Acteur synthétique {i}", f"Synthetic actor {i}"),
            "acronym",
            lit(f"SA{i}") if org and self.r() < 0.6 else None,
            "broaderActor",
            self.pick(self.pools["actors"]) if self.r() < 0.35 else None,
            "sourceSection",
            self.src,
        )

    def instrument(self, i):
        self.touch(x := iri(f"instrument/syn-{i}"), self.some(self.taxa, 0.33), "instruments")
        return self.res(
            x,
            self.choice(INSTRUMENTS),
            "instruments",
            LABEL,
            (f"Instrument synthétique {i}", f"Synthetic instrument {i}"),
            "acronym",
            lit(f"SI{i}") if self.r() < 0.42 else None,
            "underConvention",
            (CMS if self.r() < 0.6 else CITES) if self.r() < 0.33 else None,
            "sourceSection",
            self.src,
        )

    def taxonomy(self):
        levels, ids = [], itertools.count()
        for rank, suffix in RANKS.items():
            levels.append([])
            for _ in range(max(1, round(self.ref.ranks[rank] * self.s))):
                t, i, parent = Taxon(), next(ids), self.rng.choice(levels[-2]) if len(levels) > 1 else None
                t.slug, t.rank, t.anc, t.desc = f"syn-{i:06d}", rank, [parent, *parent.anc] if parent else [], []
                t.iri, t.name = (
                    iri(f"taxon/{t.slug}"),
                    f"{parent.name} {latin(i)}" if not suffix else latin(i).capitalize() + suffix,
                )
                for a in t.anc:
                    a.desc.append(t)
                levels[-1].append(t)
        for t in itertools.chain(*levels):
            self.listings(t)
            self.taxon(t)
        self.taxa = list(itertools.chain(*levels[3:]))  # what gets targeted: genera, species, subspecies
        self.rng.shuffle(self.taxa)

    def listings(self, t):
        t.cites = t.cms = t.cites1 = t.cms1 = False
        u = self.r()  # of the real listed taxa: 30 % CITES only, 31 % both, 39 % CMS only
        if self.r() >= LISTED.get(t.rank, 0):
            return
        if u < 0.61:
            v, start = self.r(), self.date(1976, 2019)
            app = "I" if v < 0.68 else "II" if v < 0.93 else "III"
            if self.r() < 0.17:  # an earlier listing, superseded
                self.listing(t, "cites", "II" if app == "I" else "I", self.date(1975, int(start[:4]) - 1), start)
            self.listing(t, "cites", app, start)
        if u >= 0.30:
            if cms1 := self.r() < 0.66:
                self.listing(t, "cms", "I", self.date(1985, 2020))
            if not cms1 or self.r() < 0.5:
                self.listing(t, "cms", "II", self.date(1985, 2020))

    def listing(self, t, conv, app, start, until=None):
        x, appendix, name = iri(f"listing/{conv}/{t.slug}/{app}/{start}"), iri(f"appendix/{conv}/{app}"), conv.upper()
        self.res(
            x,
            "Listing",
            f"listings-{conv}",
            LABEL,
            (
                f"{t.name} — Annexe {app} de la {name} (depuis le {start})",
                f"{t.name} — {name} Appendix {app} (from {start})",
            ),
            "listedTaxon",
            t.iri,
            "appendix",
            appendix,
            "listedName",
            lit(t.name),
            "scope",
            ("toutes les populations", "all populations"),
            "effectiveFrom",
            lit(start, dtype="date"),
            "effectiveUntil",
            until and lit(until, dtype="date"),
            "citation",
            self.cite(),
            "annotation",
            lit(self.text()[1], "en") if conv == "cites" and self.r() < 0.35 else None,
        )
        self.n["listings"] += 1
        if not until:
            self.res(t.iri, None, "inferred", "hasListing", x, "listedIn", appendix)
            setattr(t, conv, True)
            setattr(t, conv + "1", getattr(t, conv + "1") or app == "I")

    def taxon(self, t):
        species = t.rank in ("species", "subspecies")
        defined = [
            c
            for c, on in (
                ("CitesAppendixITaxon", t.cites1),
                ("CmsAppendixITaxon", t.cms1),
                ("CitesListedTaxon", t.cites),
                ("CmsListedTaxon", t.cms),
                ("TaxonListedByBothConventions", t.cites and t.cms),
            )
            if on
        ]
        self.res(
            t.iri,
            {"species": "Species", "subspecies": "InfraspecificTaxon"}.get(t.rank, "Taxon"),
            "taxa" if species else "taxonomy",
            NAME,
            lit(t.name),
            RANK,
            lit(t.rank),
            LABEL,
            (f"animal synthétique {t.slug} ({t.name})", f"synthetic animal {t.slug} ({t.name})"),
            f"<{DWC}vernacularName>",
            (f"animal synthétique {t.slug}", f"synthetic animal {t.slug}") if species else None,
            "sourceSection",
            self.src if species else None,
            defined=defined,
        )
        self.res(t.iri, None, "taxonomy", "parentTaxon", t.anc[0].iri if t.anc else None, "citation", self.cite())
        self.res(t.iri, None, "inferred", "broaderTaxon", [a.iri for a in t.anc])
        for a in t.anc:
            self.q(a.iri, f"<{MEA}narrowerTaxon>", t.iri, "inferred")
        if species and self.r() < 0.45:  # a name usage (19 for the 47 real species and subspecies)
            self.res(
                t.iri,
                None,
                "taxonomy",
                "nameUsage",
                u := iri(f"taxon/{t.slug}/name/{t.name.lower().replace(' ', '-')}"),
            )
            self.res(
                u,
                "TaxonNameUsage",
                "taxonomy",
                NAME,
                lit(t.name),
                LABEL,
                (f"{t.name} (usage de nom)", f"{t.name} (name usage)"),
                "nameStatus",
                lit("accepted"),
                "usedBy",
                CMS if t.cms else CITES,
                "citation",
                self.cite(),
            )
        if species and t.cms and not t.cites and self.r() < 0.5:  # CITES states that it does not list it
            self.res(
                iri(f"nonlisting/cites/{t.slug}"),
                "NonListing",
                "listings-cites",
                LABEL,
                (f"{t.name} — non inscrit à la CITES", f"{t.name} — not listed by CITES"),
                "convention",
                CITES,
                "listedTaxon",
                t.iri,
                "effectiveFrom",
                lit("2012-09-25", dtype="date"),
                "citation",
                self.cite(),
            )
            self.q(t.iri, f"<{MEA}notListedBy>", CITES, "inferred")
        self.n["taxa"] += 1

    # -- programmes --------------------------------------------------------------------------------------------------
    def part(self, x, cls, g, prog, parent, position, code=None, src=None, targets=0.0, *links):
        """A heading: section, theme, objective, issue or group."""
        self.touch(x, self.some(self.ws["taxa"], targets), g)
        label = code or str(position)
        return self.res(
            x,
            cls,
            g,
            "code",
            code and lit(code),
            "position",
            lit(position, dtype="integer"),
            "title",
            (f"Rubrique synthétique {label}", f"Synthetic heading {label}"),
            LABEL,
            (f"{label}. Rubrique synthétique", f"{label}. Synthetic heading"),
            "partOf",
            parent,
            "programme",
            prog,
            *links,
            "sourceSection",
            src or x,
        )

    def activity(self, p, code, position, g, prog, src, actors, targets, subitems, *links):
        x, confirmed = iri(f"activity/{p}/{code}"), []
        touched = self.touch(x, self.some(self.ws["taxa"], targets), g)
        for actor in dict.fromkeys(actors):
            slug, ok = actor.rsplit("/", 1)[1][:-1], not self.every("unconfirmed", 57)  # 7 of the 398 real ones
            self.res(
                x,
                None,
                g,
                "responsibility",
                self.res(
                    iri(f"activity/{p}/{code}/responsibility/{slug}"),
                    "Responsibility",
                    g,
                    LABEL,
                    (f"{code} : {slug}", f"{code}: {slug}"),
                    "actor",
                    actor,
                    "confirmed",
                    lit(str(ok).lower(), dtype="boolean"),
                    "sourceSection",
                    src,
                    "role",
                    ("p. ex. ministères", "e.g. ministries") if self.every("role", 30) else None,
                    defined=() if ok else ("UnconfirmedResponsibility",),
                ),
            )
            self.q(x, f"<{MEA}responsible>", actor, "inferred")
            confirmed.append(ok)
        self.res(
            x,
            "Activity",
            g,
            "code",
            lit(code),
            "position",
            lit(position, dtype="integer"),
            LABEL,
            (f"Activité {p} {code}", f"{p} activity {code}"),
            "text",
            self.text(),
            "programme",
            prog,
            *links,
            "sourceSection",
            src,
            defined=[
                c
                for c, on in (
                    ("ActivityTouchingCitesAppendixITaxon", any(t.cites1 for t in touched)),
                    ("ActivityTouchingCmsAppendixITaxonListedByCites", any(t.cms1 and t.cites for t in touched)),
                    ("ActivityWithUnconfirmedActor", not all(confirmed)),
                )
                if on
            ],
        )
        for i in range(self.k(subitems * 10) if self.r() < 0.1 else 0):  # sub-items come in lists
            letter = "abcdefghijklmnopqrstuvwxyz"[i]
            self.res(
                item := iri(f"activity/{p}/{code}/{letter}"),
                "SubItem",
                g,
                "subItemOf",
                x,
                "itemLabel",
                lit(letter),
                "position",
                lit(i + 1, dtype="integer"),
                LABEL,
                (f"{code} {letter})", f"{code} {letter})"),
                "text",
                self.text(10),
                "priority",
                self.priority() if self.r() < 0.25 else None,
                "sourceSection",
                src,
            )
            self.q(x, f"<{MEA}subItem>", item, "inferred")
        self.n["activities"] += 1

    def priority(self):
        return iri("priority/" + self.choice(PRIORITIES))

    def mentions(self, mean):
        return [
            (CMS, CITES)[self.rng.randrange(2)] if self.r() < 0.2 else self.pick(self.ws["instruments"])
            for _ in range(self.k(mean))
        ]

    def programme(self, prog, g, n, cami):
        self.res(
            prog,
            "WorkProgramme",
            g,
            "title",
            (f"Programme de travail synthétique {n}", f"Synthetic work programme {n}"),
            LABEL,
            (f"Programme de travail synthétique {n}", f"Synthetic work programme {n}"),
            "startYear",
            lit(2014 + n % 7, dtype="integer"),
            "endYear",
            lit(2020 + n % 7, dtype="integer"),
            "sourceFile",
            lit(f"syn-p{n}.txt"),
            "convention",
            [CMS] if cami else [CMS, CITES],
            "organiser",
            None if cami else SECRETARIATS,
            "vision" if cami else "introduction",
            self.text(70),
            "sourceSection",
            iri(f"section/syn-p{n}/{'I' if cami else 'intro'}"),
        )
        self.res(prog, None, "keywords", SUBJECT, self.some(self.pools["keywords"], 2.5))

    def jwp(self, n, acts, p, prog, g="jwp"):
        if n:
            self.programme(prog, g, n, cami=False)
        self.part(iri(f"section/syn-p{n}/intro"), "Section", g, prog, prog, 1)
        for t, letter in enumerate("ABCD"[: min(4, acts)]):
            theme = self.part(
                iri(f"theme/{p}/{letter}"),
                "Theme",
                g,
                prog,
                prog,
                t + 1,
                letter,
                None,
                0,
                "introduction",
                self.text(70),
            )
            size = (t + 1) * acts // min(4, acts) - t * acts // min(4, acts)
            groups = [
                self.part(iri(f"group/{p}/{letter}/{j + 1}"), "ActivityGroup", g, prog, theme, j + 1, None, None, 0.3)
                for j in range(max(1, round(size * 0.45)))
            ]
            for j in range(size):
                group = groups[j * len(groups) // size] if self.r() < 0.85 else None
                self.activity(
                    p,
                    f"{letter}{j + 1}",
                    j + 1,
                    g,
                    prog,
                    group or theme,
                    SECRETARIATS,
                    0.64,
                    0.33,
                    "theme",
                    theme,
                    "group",
                    group,
                    "mentions",
                    self.mentions(1.91),
                )

    def cami(self, n, acts, p, prog, g0="cami-programme"):
        states, places, sites, actors = (self.ws[k] for k in ("countries", "landscapes", "sites", "actors"))
        if n != 1:
            self.programme(prog, g0, n, cami=True)
            self.res(
                prog,
                None,
                g0,
                "coversTaxon",
                [t.iri for t in self.some(self.ws["taxa"], 15)],
                "rangeState",
                states,
                "cites",
                self.some(self.ws["instruments"], 11),
            )
            self.resolution(n, prog)
        table = self.part(iri(f"section/syn-p{n}/table-1"), "Section", g0, prog, prog, 5)
        for i, name in enumerate(("I", "II", "III", "IV")):
            self.part(iri(f"section/syn-p{n}/{name}"), "Section", g0, prog, prog, i + 1)
        objectives = min(4, max(1, acts // 8))
        for o in range(objectives):
            g = ("cami-objective-1", "cami-objective-2", "cami-objectives-3-4", "cami-objectives-3-4")[o]
            obj = self.part(
                iri(f"objective/{p}/{o + 1}"),
                "Objective",
                g0,
                prog,
                table,
                o + 1,
                str(o + 1),
                table,
                0,
                "text",
                self.text(14),
            )
            size = (o + 1) * acts // objectives - o * acts // objectives
            issues = max(1, round(size / 7.5))
            for i in range(issues):
                code = f"{o + 1}.{i + 1}"
                issue = self.part(
                    iri(f"issue/{p}/{code}"),
                    "Issue",
                    g,
                    prog,
                    obj,
                    i + 1,
                    code,
                    obj,
                    0.9,
                    "objective",
                    obj,
                    "country",
                    self.some(states, 0.8),
                    "inLandscape",
                    self.some(places, 0.2),
                )
                groups = [
                    self.part(
                        iri(f"group/{p}/{code}/{j + 1}"),
                        "ActivityGroup",
                        g,
                        prog,
                        issue,
                        j + 1,
                        None,
                        issue,
                        0.6,
                        "country",
                        self.some(states, 1.3),
                        "inLandscape",
                        self.some(places, 0.25),
                    )
                    for j in range(self.k(0.8))
                ]
                for j in range((i + 1) * size // issues - i * size // issues):
                    group = self.rng.choice(groups) if groups and self.r() < 0.45 else None
                    self.activity(
                        p,
                        f"{code}.{j + 1}",
                        j + 1,
                        g,
                        prog,
                        group or issue,
                        self.some(actors, 2.75),
                        0.62,
                        0.43,
                        "objective",
                        obj,
                        "issue",
                        issue,
                        "group",
                        group,
                        "priority",
                        self.priority(),
                        "concernsCountry",
                        self.some(states, 1.31),
                        "inLandscape",
                        self.some(places, 0.4),
                        "concernsPlace",
                        self.some(sites, 0.09),
                        "mentions",
                        self.mentions(0.45),
                    )

    def resolution(self, n, prog, g="cms-resolution-11.24"):
        doc, meeting, header, start = (
            iri(f"document/syn-res-{n}"),
            iri(f"meeting/syn-cop-{n}"),
            iri(f"section/syn-res-{n}/header"),
            self.date(2000, 2024),
        )
        self.part(header, "Section", g, None, doc, 1)
        self.res(
            doc,
            "Resolution",
            g,
            "decisionNumber",
            lit(f"{n}.24"),
            "convention",
            CMS,
            "adoptedAt",
            meeting,
            "organiser",
            COP,
            "title",
            (f"Résolution synthétique {n}", f"Synthetic resolution {n}"),
            LABEL,
            (f"Résolution {n}.24 : synthétique", f"Resolution {n}.24: synthetic"),
            "cites",
            self.some(self.ws["instruments"], 14),
            "sourceSection",
            header,
        )
        self.res(doc, None, "keywords", SUBJECT, self.some(self.pools["keywords"], 3))
        for i in range(19):  # 12 preamble and 7 operative paragraphs
            kind, cls, j = ("preamble", "PreambleParagraph", i + 1) if i < 12 else ("op", "OperativeParagraph", i - 11)
            self.res(
                iri(f"section/syn-res-{n}/{kind}-{j}"),
                cls,
                g,
                LABEL,
                (f"Résolution {n}.24, {kind} {j}", f"Resolution {n}.24, {kind} {j}"),
                "text",
                self.text(),
                "partOf",
                doc,
                "position",
                lit(i + 1, dtype="integer"),
                "cites",
                self.some(self.ws["instruments"], 1.7),
                "sourceSection",
                header,
            )
        self.res(
            meeting,
            "Meeting",
            g,
            LABEL,
            (f"Réunion synthétique {n} de la COP de la CMS", f"Synthetic CMS COP meeting {n}"),
            "city",
            (f"Ville {n}", f"City {n}"),
            "meetingNumber",
            lit(n, dtype="integer"),
            "country",
            self.pick(self.pools["countries"]),
            "convention",
            CMS,
            "organiser",
            COP,
            "startDate",
            lit(start, dtype="date"),
            "endDate",
            lit(start[:8] + "28", dtype="date"),
            "sourceSection",
            header,
        )
        self.res(prog, None, "cami-programme", "annexOf", doc, "adoptedAt", meeting)

    def working_set(self, n):
        """What programme pair n draws on, as much as the real programmes do (hubs of the pools; n = 0: the real
        ones)."""
        pools = {**self.pools, "taxa": self.taxa, "instruments": self.instruments}
        ws = {k: self.some(pools[k], size) for k, size in self.ref.working.items()}
        if n == 0:
            ws.update(
                {k: pools[k][: self.ref.working[k]] for k in ("actors", "landscapes", "sites")},
                countries=self.ref.rangestates,
            )
        return ws

    def run(self) -> dict:
        for pool, make in (
            ("countries", lambda i: self.place(i, "country", "Country", 0)),
            ("sites", lambda i: self.place(i, "site", "Site", 0.6)),
            ("landscapes", lambda i: self.place(i, "landscape", "Landscape", 2.65)),
            ("actors", self.actor),
        ):
            self.pools[pool] += [
                make(i) for i in range(max(0, round(len(self.ref.pools[pool]) * self.s) - len(self.ref.pools[pool])))
            ]
        self.taxonomy()
        self.instruments = [self.instrument(i) for i in range(max(1, round(self.ref.instruments * self.s)))]
        pairs = max(1, round(self.s))
        for n in range(
            2 * pairs
        ):  # JWP-like at even n, CAMI-like at odd n; 0 and 1 are programme/jwp and programme/cami
            if n % 2 == 0:
                self.ws = self.working_set(n)
            kind = ("jwp", "cami")[n % 2]
            prog = iri(f"programme/{kind if n < 2 else f'syn-p{n}'}")
            getattr(self, kind)(n, max(1, round(self.ref.activities[kind] * self.s / pairs)), f"syn-p{n}", prog)
        self.out.write("".join(self.buf))
        graphs = {
            GRAPH + g: self.ref.graphs[g] + self.graphs[g] for g in sorted(set(self.ref.graphs) | set(self.graphs))
        }
        return {
            "quads": sum(graphs.values()),
            "scale": round(self.s, 4),
            "programmes": 2 * pairs,
            **self.n,
            "instruments": len(self.instruments),
            **{k: len(v) for k, v in self.pools.items() if k != "keywords"},
            "graphs": graphs,
        }


def generate(triples: int, out: Path, *, seed: int = 0) -> dict:
    """Write about ``triples`` quads (±5 %, mostly ±2 %) of synthetic mea-kg data to ``out`` (N-Quads); return the
    counts."""
    ref, start = real(), time.perf_counter()
    if (budget := triples - ref.quads) < 2000:
        raise ValueError(f"at least {ref.quads + 2000} quads: the real reference data alone has {ref.quads}")
    scale = budget / 13_000  # synthetic quads per unit of scale, measured; small sizes need a correction or two
    for attempt in range(1, 6):  # noqa: B007 (reported after the loop)
        with open(out, "w", encoding="utf-8", buffering=1 << 20) as f:
            f.write(ref.nquads.decode())
            counts = Writer(f, ref, scale, seed).run()
        if abs(counts["quads"] - triples) <= 0.02 * triples:
            break
        scale *= budget / (counts["quads"] - ref.quads)
    return counts | {
        "attempts": attempt,
        "seconds": round(time.perf_counter() - start, 2),
        "bytes": Path(out).stat().st_size,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", required=True, help="about this many quads: 10000, 100k, 1M, 10M …")
    parser.add_argument("--out", type=Path, required=True, help="the N-Quads file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    size = int(float(args.triples.rstrip("kM")) * {"k": 1e3, "M": 1e6}.get(args.triples[-1], 1))
    print(json.dumps(generate(size, args.out, seed=args.seed), indent=2))

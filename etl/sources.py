"""The source registry: who publishes each input, under which licence, and how to credit it (fi/sv/en).

Texts come from the SOURCES.md files of the shared data folder and docs/data-sources.md. Where a publisher states
no licence the registry says "licence not stated" rather than guessing. ``_meta_sources`` is built from this plus
each raw file's ``.meta.json`` sidecar (retrieved_at, sha256, bytes).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable

LICENCE_NOT_STATED = "licence not stated"
CC_BY_4 = "CC BY 4.0"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    url: str
    licence: str
    attribution_fi: str
    attribution_sv: str
    attribution_en: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


SOURCES: dict[str, Source] = {s.id: s for s in [
    Source(
        id="statfi",
        title="Population by municipality with municipal boundaries (WFS vaestoalue:kunta_vaki)",
        publisher="Statistics Finland (Tilastokeskus); boundaries National Land Survey of Finland",
        url="https://geo.stat.fi/geoserver/vaestoalue/wfs",
        licence=CC_BY_4,
        attribution_fi=("Lähde: Tilastokeskus, väestö kunnittain 31.12.2024 ja alueluokitukset 2025; "
                        "kuntarajat Maanmittauslaitos. CC BY 4.0."),
        attribution_sv=("Källa: Statistikcentralen, befolkning per kommun 31.12.2024 och regionala "
                        "klassificeringar 2025; kommungränser Lantmäteriverket. CC BY 4.0."),
        attribution_en=("Source: Statistics Finland, population by municipality 31 Dec 2024 and regional "
                        "classifications 2025; municipal boundaries National Land Survey of Finland. CC BY 4.0."),
    ),
    Source(
        id="statfi_classification",
        title="Regional classifications: municipality to wellbeing services county, region, language status",
        publisher="Statistics Finland (Tilastokeskus)",
        url="https://data.stat.fi/api/classifications/v2/",
        licence=CC_BY_4,
        attribution_fi="Lähde: Tilastokeskus, alueluokitukset (kunta–hyvinvointialue) 2025. CC BY 4.0.",
        attribution_sv="Källa: Statistikcentralen, regionala klassificeringar (kommun–välfärdsområde) 2025. CC BY 4.0.",
        attribution_en=("Source: Statistics Finland, regional classifications (municipality to wellbeing services "
                        "county) 2025. CC BY 4.0."),
    ),
    Source(
        id="ptv",
        title="Finnish Service Catalogue (Suomi.fi Palvelutietovaranto) open API v11",
        publisher="Digital and Population Data Services Agency (DVV)",
        url="https://api.palvelutietovaranto.suomi.fi/api/v11/",
        licence=CC_BY_4 + " (per Suomi.fi practice; exact wording not verified)",
        attribution_fi="Lähde: Suomi.fi-palvelutietovaranto, Digi- ja väestötietovirasto. CC BY 4.0.",
        attribution_sv=("Källa: Suomi.fi-tjänstedatalagret, Myndigheten för digitalisering och befolkningsdata. "
                        "CC BY 4.0."),
        attribution_en=("Source: Suomi.fi Finnish Service Catalogue, Digital and Population Data Services Agency. "
                        "CC BY 4.0."),
    ),
    Source(
        id="ytj",
        title="Business Information System (YTJ) open data API v3",
        publisher="Finnish Patent and Registration Office (PRH)",
        url="https://avoindata.prh.fi/opendata-ytj-api/v3",
        licence=CC_BY_4,
        attribution_fi="Lähde: Patentti- ja rekisterihallitus, YTJ-avoin data. CC BY 4.0.",
        attribution_sv="Källa: Patent- och registerstyrelsen, FODS öppna data. CC BY 4.0.",
        attribution_en="Source: Finnish Patent and Registration Office, YTJ open data. CC BY 4.0.",
    ),
    Source(
        id="stea",
        title="STEA grants per organisation (avustukset.stea.fi)",
        publisher="Funding Centre for Social Welfare and Health Organisations (STEA)",
        url="https://avustukset.stea.fi/",
        licence=LICENCE_NOT_STATED,
        attribution_fi="Lähde: Sosiaali- ja terveysjärjestöjen avustuskeskus STEA, avustukset.stea.fi.",
        attribution_sv="Källa: Understödscentralen för social- och hälsovårdsorganisationer STEA, avustukset.stea.fi.",
        attribution_en="Source: Funding Centre for Social Welfare and Health Organisations STEA, avustukset.stea.fi.",
    ),
    Source(
        id="lahella",
        title="Lähellä.fi activity listings",
        publisher="Lähellä.fi-verkosto",
        url="https://www.lahella.fi/",
        licence=LICENCE_NOT_STATED,
        attribution_fi="Lähde: Lähellä.fi.",
        attribution_sv="Källa: Lähellä.fi.",
        attribution_en="Source: Lähellä.fi.",
    ),
    Source(
        id="template",
        title="Organisations' own activity lists (project import template)",
        publisher="Contributing organisations",
        url="",
        licence=LICENCE_NOT_STATED,
        attribution_fi="Lähde: järjestöjen itse toimittamat tiedot.",
        attribution_sv="Källa: uppgifter som organisationerna själva har lämnat.",
        attribution_en="Source: data supplied by the organisations themselves.",
    ),
    Source(
        id="demo",
        title="Synthetic demonstration data (not real organisations)",
        publisher="Järjestökartta project",
        url="",
        licence="synthetic data, no rights reserved",
        attribution_fi="Esimerkkiaineisto: keksittyjä järjestöjä ja toimintoja, ei todellisia tietoja.",
        attribution_sv="Exempeldata: påhittade organisationer och verksamheter, inte verkliga uppgifter.",
        attribution_en="Demonstration data: made-up organisations and activities, not real data.",
    ),
    Source(
        id="taxonomy",
        title="Activity types, target groups and crosswalk (Järjestökartta vocabulary)",
        publisher="Järjestökartta project (from PTV, Lähellä.fi and STEA code lists)",
        url="",
        licence=CC_BY_4,
        attribution_fi="Luokitus: Järjestökartan toimintamuodot ja kohderyhmät (PTV-, Lähellä.fi- ja STEA-koodien pohjalta).",
        attribution_sv="Klassificering: Järjestökartans verksamhetsformer och målgrupper (utifrån PTV-, Lähellä.fi- och STEA-koder).",
        attribution_en="Classification: Järjestökartta activity types and target groups (from PTV, Lähellä.fi and STEA codes).",
    ),
    Source(
        id="thl_need",
        title="Need coefficients for wellbeing services counties 2017–2023 (Laskentataulukko tarvekertoimille)",
        publisher="Finnish Institute for Health and Welfare (THL)",
        url="https://thl.fi/",
        licence=CC_BY_4 + " (THL open material; confirm terms on thl.fi)",
        attribution_fi="Lähde: THL, Laskentataulukko tarvekertoimille 2017–2023 (25.6.2025).",
        attribution_sv="Källa: THL, beräkningstabell för behovskoefficienter 2017–2023 (25.6.2025).",
        attribution_en="Source: THL, calculation workbook for need coefficients 2017–2023 (25 June 2025).",
    ),
    Source(
        id="diak",
        title="Huono-osaisuus Suomessa: deprivation indices 2019–2021",
        publisher="Diaconia University of Applied Sciences (Diak); data THL Sotkanet",
        url="https://github.com/DiakGit/karttasovellus",
        licence="MIT (repository); underlying Sotkanet data CC BY 4.0",
        attribution_fi="Huono-osaisuus Suomessa, Diak; lähde THL Sotkanet.",
        attribution_sv="Huono-osaisuus Suomessa (Utsatthet i Finland), Diak; källa THL Sotkanet.",
        attribution_en="Huono-osaisuus Suomessa (Deprivation in Finland), Diak; source THL Sotkanet.",
    ),
    Source(
        id="tem",
        title="Unemployed job seekers as a share of the labour force by municipality (StatFin 12r5)",
        publisher="Ministry of Economic Affairs and Employment (TEM); Statistics Finland",
        url="https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/",
        licence=CC_BY_4,
        attribution_fi="Lähde: Työ- ja elinkeinoministeriö, Työnvälitystilasto; Tilastokeskus StatFin 12r5.",
        attribution_sv=("Källa: Arbets- och näringsministeriet, Arbetsförmedlingsstatistik; "
                        "Statistikcentralen StatFin 12r5."),
        attribution_en=("Source: Ministry of Economic Affairs and Employment, Employment Service Statistics; "
                        "Statistics Finland StatFin 12r5."),
    ),
    Source(
        id="sotkanet",
        title="Sotkanet indicator bank (REST 1.1)",
        publisher="Finnish Institute for Health and Welfare (THL)",
        url="https://sotkanet.fi/rest/1.1/",
        licence=CC_BY_4,
        attribution_fi="Lähde: THL, Sotkanet.fi.",
        attribution_sv="Källa: THL, Sotkanet.fi.",
        attribution_en="Source: THL, Sotkanet.fi.",
    ),
    Source(
        id="sotkanet_swedish",
        title="Swedish-speaking population and population by municipality (Sotkanet 2433, 127)",
        publisher="Finnish Institute for Health and Welfare (THL), Sotkanet; Statistics Finland",
        url="https://sotkanet.fi/",
        licence=CC_BY_4,
        attribution_fi="Lähde: THL, Sotkanet.fi (Tilastokeskus, väestörakenne).",
        attribution_sv="Källa: THL, Sotkanet.fi (Statistikcentralen, befolkningsstruktur).",
        attribution_en="Source: THL, Sotkanet.fi (Statistics Finland, population structure).",
    ),
]}


def get_source(source_id: str) -> Source:
    try:
        return SOURCES[source_id]
    except KeyError:
        raise KeyError(f"unknown source {source_id!r}; known: {', '.join(sorted(SOURCES))}") from None


# The PTV row of `_meta_sources` says which API version a build read: v11 (the entry above) unless the PTV loader
# noted `api_version=12` in its stats (etl/load/ptv_v12.py), then this entry.
PTV_V12 = Source(**{**SOURCES["ptv"].as_dict(),
                    "title": "Finnish Service Catalogue (Suomi.fi Palvelutietovaranto) API v12",
                    "url": "https://api-gw.palvelutietovaranto.suomi.fi/api/v12/"})
API_VERSION_NOTE = "api_version=12"


def source_registry(stats: Iterable[Any] = ()) -> dict[str, dict[str, str]]:
    """Plain dicts by source id, for building `_meta_sources`; `stats` (the loaders' LoadStats) switch the PTV entry
    to v12 when the PTV loader read v12 pages."""
    registry = {sid: s.as_dict() for sid, s in SOURCES.items()}
    if any(s.source == "ptv" and API_VERSION_NOTE in (s.notes or []) for s in stats):
        registry["ptv"] = PTV_V12.as_dict()
    return registry

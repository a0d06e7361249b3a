"""PTV settings shared by the fetch, the loader and the demo: the setting that picks the API version, the raw layout
of v12 pages and the response schema each file must match, and the v11 <-> v12 vocabularies.

The official document is ``shared/data/sources/ptv_v12_openapi.json`` (OpenAPI 3.1.1, document version 0.1.0, beta).
Everything here follows it; the names of the response schemas each raw file must match are in :func:`schema_name_for`.

Raw layout (the fetch writes it, the loader reads it, the demo and :mod:`etl.ptv.v12_convert` produce it)::

    ptv/organizations|services|channels/*.json   API v11 pages (``itemList``)
    ptv/v12/organizations/*.json   SearchOrganizationsResponse   /api/v12/organization/search
    ptv/v12/services/*.json        ServiceSearchResponse         /api/v12/service/search
    ptv/v12/channels/*.json        ChannelSearchResponse         /api/v12/service-channel/search
    ptv/v12/connections/*.json     ConnectionSearchResponse      /api/v12/connection/search
    ptv/v12/codes/<endpoint>_page_NNNN.json                      /api/v12/<endpoint> (service-classes, target-groups,
                                                                 life-events, region-codes,
                                                                 wellbeing-services-county-codes)
"""
from __future__ import annotations

import math
import os
from typing import Any, Mapping

# --- settings ------------------------------------------------------------------------------------------------------

ENV_VERSION = "JARJESTOKARTTA_PTV_API_VERSION"     # "11" or "12"
ENV_KEY = "JARJESTOKARTTA_PTV_API_KEY"             # the v12 API key, sent as `x-api-key`
ENV_V12_URL = "JARJESTOKARTTA_PTV_V12_URL"         # base URL (without /api/v12)
ENV_COUNTIES = "JARJESTOKARTTA_PTV_V12_COUNTIES"   # optional server-side area filter, e.g. "06,07"
V12_DEFAULT_URL = "https://api-gw.palvelutietovaranto.suomi.fi"
V12_TEST_URL = "https://api-gw.palvelutietovaranto.trn.suomi.fi"
KEY_GUIDE_URL = ("https://kehittajille.suomi.fi/palvelut/palvelutietovaranto/rajapinta-ja-arkkitehtuuriuudistus/"
                 "api-avaimen-kayttoohje-ptv-rajapintaversio-12")
VERSIONS = ("11", "12")


def api_version(env: Mapping[str, str] | None = None) -> str:
    """The PTV API version to fetch: ``JARJESTOKARTTA_PTV_API_VERSION`` when set (11 or 12), else 12 when
    ``JARJESTOKARTTA_PTV_API_KEY`` is set, else 11."""
    env = os.environ if env is None else env
    wanted = (env.get(ENV_VERSION) or "").strip().lower().lstrip("v")
    if wanted:
        if wanted not in VERSIONS:
            from etl.context import EtlError
            raise EtlError(f"{ENV_VERSION}={env.get(ENV_VERSION)!r}: choose 11 or 12")
        return wanted
    return "12" if (env.get(ENV_KEY) or "").strip() else "11"


# --- raw layout and the schema of each file --------------------------------------------------------------------

V12_DIR = "ptv/v12"
KINDS = ("organizations", "services", "channels", "connections")
KIND_SCHEMAS = {"organizations": "SearchOrganizationsResponse", "services": "ServiceSearchResponse",
                "channels": "ChannelSearchResponse", "connections": "ConnectionSearchResponse"}
KIND_ENDPOINTS = {"organizations": "/api/v12/organization/search", "services": "/api/v12/service/search",
                  "channels": "/api/v12/service-channel/search", "connections": "/api/v12/connection/search"}
CODE_SCHEMAS = {"service-classes": "ServiceClassesResponse", "target-groups": "TargetGroupsResponse",
                "life-events": "LifeEventsResponse", "region-codes": "RegionCodeResponse",
                "wellbeing-services-county-codes": "WellbeingServicesCountyCodeResponse"}
MAX_PAGE_SIZE = 100
MAX_IDS_PER_FILTER = 20


def schema_name_for(relpath: str) -> str:
    """The response schema (``#/components/schemas/<name>``) a raw v12 file must match, from its path relative to
    ``ptv/v12/`` (``services/b0001_page_0001.json``, ``codes/target-groups_page_0001.json``)."""
    parts = relpath.replace("\\", "/").strip("/").split("/")
    if parts[0] == "codes" and len(parts) == 2:
        endpoint = parts[1].split("_page_")[0]
        if endpoint in CODE_SCHEMAS:
            return CODE_SCHEMAS[endpoint]
    elif parts[0] in KIND_SCHEMAS:
        return KIND_SCHEMAS[parts[0]]
    raise KeyError(f"no v12 schema for {relpath!r}")


# --- vocabularies ------------------------------------------------------------------------------------------------

LANGS = ("fi", "sv", "en", "se", "smn", "sms")
NIL_UUID = "00000000-0000-0000-0000-000000000000"
ORG_TYPES = ("State", "Municipality", "RegionalOrganization", "Organization", "Company")
ORG_TYPE_TO_V12 = {"Region": "RegionalOrganization", "SotePublic": "RegionalOrganization", "SotePrivate": "Company"}
CHANNEL_TYPE_TO_V12 = {"EChannel": "EService", "Phone": "TelephoneService", "PrintableForm": "PrintableForm",
                       "ServiceLocation": "ServiceLocation", "WebPage": "WebPage"}
CHANNEL_TYPE_TO_V11 = {v: k for k, v in CHANNEL_TYPE_TO_V12.items()}
AREA_TO_V12 = {"Nationwide": "WholeCountry", "NationwideExceptAlandIslands": "WholeCountryExceptAland",
               "LimitedType": "LimitedArea"}
AREA_TO_V11 = {v: k for k, v in AREA_TO_V12.items()}
SERVICE_TYPE_TO_V12 = {"Service": "Service", "PermitOrObligation": "PermitOrOtherObligation",
                       "ProfessionalQualification": "ProfessionalQualification"}
SERVICE_TYPE_TO_V11 = {v: k for k, v in SERVICE_TYPE_TO_V12.items()}
CHARGE_TO_V12 = {"FreeOfCharge": "Free", "Chargeable": "Charged"}
CHARGE_TO_V11 = {v: k for k, v in CHARGE_TO_V12.items()}
FUNDING_TYPES = ("MarketFunded", "PubliclyFunded")
SERVICE_LANGUAGES = frozenset((
    "se smn sms hi ug he sgn-fi no lv da sw cs pl de ms ln sr is sh sk fr bs el am hr uz es ko ta hu ky rn kk kg fa "
    "et so th bn km tk wo ne ro sq it lo az rom tr id tl hy my mk zh rw uk ur ar ja ps ru sl vi lt ka ku bg nl pt "
    "fi sv en prs").split())
CODE_URIS = {"service-classes": "http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/",
             "target-groups": "http://uri.suomi.fi/codelist/ptv/ptvkohderyhmat/code/",
             "life-events": "http://uri.suomi.fi/codelist/ptv/ptvelamantilanteet/code/",
             "region-codes": "http://uri.suomi.fi/codelist/jhs/maakunta_1_20240101/code/",
             "wellbeing-services-county-codes": "http://uri.suomi.fi/codelist/jhs/hyvinvointialue_1_20230101/code/"}
REGION_AREA_TYPES = ("Region",)
COUNTY_AREA_TYPES = ("WellbeingServiceCounty", "WellbeingServiceCounties", "WellbeingServicesCounty",
                     "WellbeingServicesCounties")


def empty_service_hours() -> dict[str, Any]:
    return {"hours": [], "holidayServiceHours": None}


# --- v12 search pages ----------------------------------------------------------------------------------------------

def page_doc(items: list[Any], page: int, page_size: int, total_items: int) -> dict[str, Any]:
    """A v12 search response envelope."""
    total_pages = math.ceil(total_items / page_size) if total_items else 0
    return {"page": page, "pageSize": page_size, "totalItems": total_items, "totalPages": total_pages,
            "items": items}


def paginate(items: list[Any], page_size: int = MAX_PAGE_SIZE) -> list[dict[str, Any]]:
    """Search pages of at most ``page_size`` items (one empty page when there are none)."""
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    chunks = [items[i:i + page_size] for i in range(0, len(items), page_size)] or [[]]
    return [page_doc(chunk, n, page_size, len(items)) for n, chunk in enumerate(chunks, start=1)]

"""Every query the dashboard runs: fn(con, *, plain params) -> DataFrame, one module a topic.

    base.py           metric lists (METRICS, ALL, ...), check_metric, the shared SQL fragments, the cursor and `_df`
    meta.py           the build: build info, sources, row counts, quarantine, has_table
    dimensions.py     picker lists (areas, municipalities, types, groups) and map shapes
    areas.py          area / country / municipality figures, one area's profile, the type matrix, target groups
    spots.py          white spots, need vs supply, Swedish coverage, data gaps
    organisations.py  the organisation list, detail, checklist, sources, search and map
    paths.py          service paths: interface status per municipality and area, stages, referral lists

A new topic gets its own module here, imports what it needs from `base`, and is re-exported
below, so callers keep writing `queries.x(con, ...)` and `from app.queries import ALL, ...`; the tests find every
public query through this package. SQL in lower case, values bound as named parameters (`$lang`, `$area`, …), one
cursor per query; names come back already in the chosen language (`name`, `label`). No streamlit import.
"""
from __future__ import annotations

from app.queries.areas import (area_activities, area_metrics, area_organisations, country_metrics, grants_by_year,
                               municipality_metrics, national_reach, similar_areas, target_group_breakdown,
                               type_matrix, type_profile)
from app.queries.base import (ALL, MATRIX_METRICS, METRIC_FLAGS, METRICS, MUNICIPALITY_METRICS, check_metric)
from app.queries.dimensions import (activity_types, areas, geo_areas, geo_municipalities, municipalities,
                                    target_groups)
from app.queries.meta import (build_info, has_table, quarantine_rows, quarantine_summary, row_counts, sources)
from app.queries.organisations import (ORG_CHECKS, organisation_activities, organisation_checklist,
                                       organisation_count, organisation_detail, organisation_index,
                                       organisation_list, organisation_map, organisation_municipalities,
                                       organisation_source_options, organisation_sources, organisation_types,
                                       rank_organisations)
from app.queries.paths import (COUNTRY, PAGE_SOURCES, CARD_SOURCES, STATUSES, path_area, path_local_activities,
                               path_municipalities, path_national_activities, path_nearby_activities,
                               path_public_services, path_stage_counts, path_stages, service_paths)
from app.queries.spots import (data_gaps, municipality_status, need_supply, swedish_coverage, white_spot_summary,
                               white_spot_top, white_spots)

__all__ = [
    # base
    "ALL", "MATRIX_METRICS", "METRIC_FLAGS", "METRICS", "MUNICIPALITY_METRICS", "check_metric",
    # meta
    "build_info", "has_table", "quarantine_rows", "quarantine_summary", "row_counts", "sources",
    # dimensions
    "activity_types", "areas", "geo_areas", "geo_municipalities", "municipalities", "target_groups",
    # areas
    "area_activities", "area_metrics", "area_organisations", "country_metrics", "grants_by_year",
    "municipality_metrics", "national_reach", "similar_areas", "target_group_breakdown", "type_matrix",
    "type_profile",
    # spots
    "data_gaps", "municipality_status", "need_supply", "swedish_coverage", "white_spot_summary", "white_spot_top",
    "white_spots",
    # organisations
    "ORG_CHECKS", "organisation_activities", "organisation_checklist", "organisation_detail", "organisation_index",
    "organisation_count", "organisation_list", "organisation_map", "organisation_municipalities",
    "organisation_source_options", "organisation_sources", "organisation_types", "rank_organisations",
    # paths
    "COUNTRY", "PAGE_SOURCES", "CARD_SOURCES", "STATUSES", "path_area", "path_local_activities",
    "path_municipalities", "path_national_activities", "path_nearby_activities", "path_public_services",
    "path_stage_counts", "path_stages", "service_paths",
]

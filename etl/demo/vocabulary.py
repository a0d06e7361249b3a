"""The words and weights of the synthetic world: themes, activity types and their shares, names and sentences.

Source-specific vocabularies (PTV service classes, Lähellä.fi traits, STEA grant kinds, template modes) live with
their writer; this module holds only what the world model itself draws from.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

BASE_DATE = dt.datetime(2026, 10, 1, 12, 0, 0, tzinfo=dt.timezone.utc)  # every date is counted back from here
DEMO_DESC_FI = "[DEMO] Synteettinen esimerkkiaineisto – ei todellinen toiminta."
DEMO_DESC_SV = "[DEMO] Syntetiskt exempeldata – ingen verklig verksamhet."
SURVEY_AREAS = ("08", "15", "17")  # counties whose own survey fills the template (Pirkanmaa, Keski-Suomi, Pohjanmaa)
BIG_CITIES = ("091", "837", "853", "049", "564", "179", "092", "297", "398", "405")  # anchors: every type present

# theme code (= target group), fi association word, fi umbrella word, fi foundation word, sv theme, fi target phrase,
# sv target phrase, weight, STEA jarjestoluokka
THEMES = [
    ("mielenterveys", "Mielenterveysyhdistys", "Mielenterveysliitto", "Mielenterveyssäätiö", "psykisk hälsa",
     "mielenterveyskuntoutujille", "för personer med psykisk ohälsa", 0.16, "Mielenterveys"),
    ("paihteet", "Päihdetyön yhdistys", "Raittiusliitto", "Päihdetyön säätiö", "missbruksarbete",
     "päihdekuntoutujille", "för personer i missbruksrehabilitering", 0.06, "Päihteet ja riippuvuudet"),
    ("ikaantyneet", "Vanhustyön yhdistys", "Vanhustyön liitto", "Vanhustyön säätiö", "äldre",
     "ikäihmisille", "för äldre", 0.14, "Ikääntyneet"),
    ("lapset_perheet", "Perheyhdistys", "Perheliitto", "Lastensäätiö", "barnfamiljer",
     "lapsiperheille", "för barnfamiljer", 0.12, "Lapset ja perheet"),
    ("nuoret", "Nuorten tuki -yhdistys", "Nuorisoliitto", "Nuorisosäätiö", "unga",
     "nuorille", "för unga", 0.08, "Nuoret"),
    ("vammaiset", "Vammaisyhdistys", "Vammaisliitto", "Vammaissäätiö", "personer med funktionsnedsättning",
     "vammaisille henkilöille", "för personer med funktionsnedsättning", 0.10, "Vammaiset"),
    ("pitkaaikaissairaat", "Sydän- ja diabetesyhdistys", "Potilasliitto", "Terveyssäätiö", "långtidssjuka",
     "pitkäaikaissairaille", "för långtidssjuka", 0.10, "Pitkäaikaissairaat"),
    ("omaiset", "Omaishoitajayhdistys", "Omaishoitajaliitto", "Omaishoidon säätiö", "anhöriga",
     "omaishoitajille ja läheisille", "för anhöriga och närstående", 0.06, "Omaiset"),
    ("maahanmuuttajat", "Monikulttuurinen yhdistys", "Monikulttuurisuusliitto", "Kotoutumissäätiö", "invandrare",
     "maahanmuuttajille", "för invandrare", 0.04, "Maahanmuuttajat"),
    ("yksinaisyys", "Yhteisöllisyysyhdistys", "Yhteisöliitto", "Yhteisösäätiö", "gemenskap",
     "yksinäisyyttä kokeville", "för den som känner sig ensam", 0.04, "Yksinäisyys"),
    ("talous_velka", "Talousapuyhdistys", "Talousapuliitto", "Talousapusäätiö", "skuldsatta",
     "velkaantuneille", "för skuldsatta", 0.02, "Talous- ja velkaongelmat"),
    ("tyottomat", "Työttömien yhdistys", "Työttömien liitto", "Työttömien säätiö", "arbetslösa",
     "työttömille", "för arbetslösa", 0.04, "Työttömät"),
    ("kaikki", "Hyvinvointiyhdistys", "Hyvinvointiliitto", "Hyvinvointisäätiö", "välfärd",
     "kaikille avoin", "öppen för alla", 0.04, "Yleinen hyvinvointi"),
]
THEME_W = np.array([t[7] for t in THEMES]) / sum(t[7] for t in THEMES)

# activity type -> share of activities
TYPE_SHARE = {
    "vertaistuki": .16, "neuvonta_ohjaus": .12, "kohtaamispaikka": .08, "vapaaehtoistoiminta": .08,
    "tukihenkilotoiminta": .07, "kerho_ryhma": .12, "retket_leirit": .05, "tapahtumat": .07, "kriisiapu": .02,
    "klubitalo": .01, "tyollistaminen": .03, "aineellinen_apu": .04, "liikunta_harrastus": .07,
    "vaikuttaminen": .03, "muu": .05,
}
TYPES = list(TYPE_SHARE)
TYPE_W = np.array(list(TYPE_SHARE.values())) / sum(TYPE_SHARE.values())
COMMON_TYPES = [t for t in TYPES if t not in ("kriisiapu", "klubitalo", "tyollistaminen")]
COMMON_W = np.array([TYPE_SHARE[t] for t in COMMON_TYPES]) / sum(TYPE_SHARE[t] for t in COMMON_TYPES)
# rare types need a large enough municipality (else they are re-drawn): white spots
RARE_MIN_POP = {"klubitalo": 25000, "kriisiapu": 20000, "tyollistaminen": 8000}

# names carry the crosswalk keywords of their type ({tg} target phrase, {p} fictional place word); muu has none
TYPE_NAMES_FI = {
    "vertaistuki": ["Vertaistukiryhmä {tg}", "Vertaistukitoiminta {tg}", "Vertaisryhmä {tg}"],
    "neuvonta_ohjaus": ["Neuvonta ja ohjaus {tg}", "Keskusteluapu {tg}", "Neuvontapiste {p}"],
    "kohtaamispaikka": ["Kohtaamispaikka {p}", "Olohuone {p}", "Päiväkeskus {p}"],
    "vapaaehtoistoiminta": ["Vapaaehtoistoiminta {tg}", "Vapaaehtoisten verkosto {p}"],
    "tukihenkilotoiminta": ["Ystävätoiminta {tg}", "Tukihenkilötoiminta {tg}", "Kummitoiminta {tg}"],
    "kerho_ryhma": ["Kerho {tg}", "Käsityökerho {p}", "Keskusteluryhmä {tg}"],
    "retket_leirit": ["Virkistysleiri {tg}", "Retkipäivä {p}", "Kesäleiri {tg}"],
    "tapahtumat": ["Luentosarja {tg}", "Teematapahtuma {p}", "Hyvinvointiseminaari {p}"],
    "kriisiapu": ["Kriisikeskus {p}", "Kriisipuhelin {p}", "Turvakoti {p}"],
    "klubitalo": ["Klubitalo {p}"],
    "tyollistaminen": ["Työpaja {p}", "Kuntouttava työtoiminta {p}", "Tuettu työ {p}"],
    "aineellinen_apu": ["Ruoka-apu {p}", "Yhteisöruokailu {p}", "Ruokakassijakelu {p}"],
    "liikunta_harrastus": ["Liikuntapäivät {tg}", "Kuntosalivuoro {tg}", "Vesijumppa {p}"],
    "vaikuttaminen": ["Kokemusasiantuntijatoiminta {p}", "Vaikuttamistoiminta {tg}"],
    "muu": ["Jäsenilta {p}", "Yhteinen asia {p}", "Toimintapäivä {p}"],
}
TYPE_NAMES_SV = {
    "vertaistuki": "Kamratstödsgrupp {tg}", "neuvonta_ohjaus": "Rådgivning {tg}", "kohtaamispaikka": "Mötesplats {p}",
    "vapaaehtoistoiminta": "Frivilligverksamhet {p}", "tukihenkilotoiminta": "Vänverksamhet {tg}",
    "kerho_ryhma": "Klubb {tg}", "retket_leirit": "Rekreationsläger {tg}", "tapahtumat": "Föreläsningsserie {tg}",
    "kriisiapu": "Krisjour {p}", "klubitalo": "Klubbhus {p}", "tyollistaminen": "Arbetsverkstad {p}",
    "aineellinen_apu": "Matutdelning {p}", "liikunta_harrastus": "Motionsgrupp {tg}",
    "vaikuttaminen": "Påverkansarbete {p}", "muu": "Medlemskväll {p}",
}
TYPE_SENTENCE_FI = {
    "vertaistuki": "Vertaistukea samassa elämäntilanteessa oleville.",
    "neuvonta_ohjaus": "Maksutonta neuvontaa ja ohjausta.",
    "kohtaamispaikka": "Matalan kynnyksen kohtaamispaikka, avoimet ovet arkipäivisin.",
    "vapaaehtoistoiminta": "Tule mukaan vapaaehtoiseksi.",
    "tukihenkilotoiminta": "Koulutetut tukihenkilöt ja ystävätoiminta.",
    "kerho_ryhma": "Kerho kokoontuu viikoittain.",
    "retket_leirit": "Virkistys- ja leiritoimintaa.",
    "tapahtumat": "Avoimia luentoja ja tapahtumia.",
    "kriisiapu": "Kriisiapua ja keskustelua kriisin kohdanneille.",
    "klubitalo": "Klubitalo on mielenterveyskuntoutujien yhteisö.",
    "tyollistaminen": "Kuntouttavaa työtoimintaa ja työpajatoimintaa.",
    "aineellinen_apu": "Ruoka-apua ja yhteisöruokailua.",
    "liikunta_harrastus": "Liikuntaa omaan tahtiin.",
    "vaikuttaminen": "Kokemusasiantuntijat vaikuttavat palveluihin.",
    "muu": "",
}
NATIONAL_NAMES_FI = {
    "neuvonta_ohjaus": ["Neuvontapuhelin {tg}", "Chat-keskusteluapu {tg}"],
    "kriisiapu": ["Valtakunnallinen kriisipuhelin {p}"],
    "vertaistuki": ["Verkkovertaistukiryhmä {tg}"],
}

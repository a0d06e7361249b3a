"""PTV (Palvelutietovaranto) pieces shared by the fetch (etl/fetch/ptv*.py), the loader (etl/load/ptv*.py) and the
demo (etl/demo/ptv.py): ``settings`` (API version setting, raw layout, schema names, vocabularies) and
``v12_convert`` (v11-shaped records -> v12 pages)."""

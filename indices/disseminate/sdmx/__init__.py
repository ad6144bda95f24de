"""SDMX-REST 1.5 (SDMX 2.1) over the published store: structures, data, availability.

The package only renders; what may be read comes from
`indices.disseminate.selectors.published` (published releases only, so nothing under embargo
can appear) and `countries.standard.selectors`.
"""

"""Reads behind the reader pages. Published data only: every value comes from the published
selectors (indices.disseminate.selectors.published) or from announced releases, never from
submissions or the national store, so an embargoed release cannot show here before its
instant."""

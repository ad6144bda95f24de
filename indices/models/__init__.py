from indices.models.standard import Code, Codelist, StandardVersion

__all__ = ["Code", "Codelist", "StandardVersion"]

"""Validation of a submission: normalization, COPY into the staging table, and the rules
E02 (row part) to E09 and W01 to W09 of STANDARD.md section 4, as set-based SQL."""

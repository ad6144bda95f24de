"""Validation of a submission: its rows read into one columnar frame (frame.py, rows.py) and
the rules E02 (row part) to E09 and W01 to W09 of STANDARD.md section 4 run over it as
vectorized expressions (rules/), in the worker; the findings, the report and the decision."""

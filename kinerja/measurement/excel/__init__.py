"""The Excel round trip: one workbook format to export an agency's plan, agreements, targets,
realisations and budget, to hand out as a template, and to import back all or nothing."""

"""Drawing an SOP AP: the grid layout (`layout`), one SVG per flowchart page (`svg`) and the printable
documents built from them (`document`: HTML, PDF, DOCX and the SOP book)."""

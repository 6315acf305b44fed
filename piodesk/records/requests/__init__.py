"""Open-records requests (GO 409 §.40): intake, the statutory clock of the request's regime
(CORA, CCJRA or another state's law, as configuration), the review set built from archive
searches, letters from the agency's templates, fees, notes, and the custodian's dashboard."""

"""Voice of the customer: survey metrics with their intervals (NPS, CSAT, CES), the sentiment of
every free text, the themes of comments, and the words behind a KPI's change."""

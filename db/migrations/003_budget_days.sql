-- The days each channel's response curve was fitted from (#15): its daily
-- spend and revenue as the ML sync modelled them, so that the response-curves
-- chart can show the observed days beside the curve. Only days with both
-- values known; a channel that reports no revenue has none. Kept per run and
-- pruned with it, like the other result tables.
CREATE TABLE ml_budget_days (
  run_id   BIGINT UNSIGNED NOT NULL,
  channel  VARCHAR(64) NOT NULL,
  day      DATE        NOT NULL,
  spend    DOUBLE      NOT NULL COMMENT 'daily spend',
  revenue  DOUBLE      NOT NULL COMMENT 'daily revenue',
  PRIMARY KEY (run_id, channel, day),
  CONSTRAINT fk_budget_days_run FOREIGN KEY (run_id) REFERENCES ml_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

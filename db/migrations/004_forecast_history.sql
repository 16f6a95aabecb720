-- Closing the loop (#16): the forecasts and advice that matter are kept and
-- scored against the actuals that arrive.
--
-- Every ML run records the last day of data it modelled (data_end). The
-- first run to succeed after midnight in the configured time zone is the
-- day's run (daily_for: that local date, unique per job); it outlives the
-- recent runs kept whole ([ml] keep_runs) for [ml] keep_daily_days. Once
-- out of the recent runs it is trimmed: its re-stated history (actual days,
-- the budget's fitted days, charts, scores) and its forecast days are
-- deleted; what stays is its forecast log below, its ROI forecast and its
-- budget plan (without the curves' bootstrap draws).
ALTER TABLE ml_runs
  ADD COLUMN data_end  DATE NULL COMMENT 'the last day of campaign data the run modelled',
  ADD COLUMN daily_for DATE NULL COMMENT 'the local day this run is kept for (the first to succeed after its midnight)',
  ADD COLUMN trimmed   TINYINT NOT NULL DEFAULT 0 COMMENT '1: a daily run reduced to its forecasts and plan',
  ADD UNIQUE KEY uq_ml_runs_daily (job, daily_for);

-- The forecasts kept: each series' forecast of each metric at the lead times
-- that are scored, with both bands. Written by every run (a recent run that
-- is not a day's run goes with its ml_runs row).
CREATE TABLE ml_forecast_log (
  run_id     BIGINT UNSIGNED NOT NULL,
  channel    VARCHAR(64) NOT NULL COMMENT 'a channel, or all',
  metric     ENUM('spend', 'revenue', 'roi', 'conversions', 'reach', 'ctr') NOT NULL,
  lead_days  TINYINT UNSIGNED NOT NULL COMMENT 'day minus the run''s data_end: 1, 7, 14 or 28',
  day        DATE   NOT NULL COMMENT 'the day forecast',
  forecast   DOUBLE NULL,
  lower_80   DOUBLE NULL,
  upper_80   DOUBLE NULL,
  lower_95   DOUBLE NULL,
  upper_95   DOUBLE NULL,
  PRIMARY KEY (run_id, channel, metric, lead_days),
  CONSTRAINT fk_forecast_log_run FOREIGN KEY (run_id) REFERENCES ml_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A run's scores of the days' runs' earlier forecasts against the actuals it
-- read, per channel, metric, lead time and window.
CREATE TABLE ml_accuracy (
  run_id      BIGINT UNSIGNED NOT NULL,
  channel     VARCHAR(64) NOT NULL,
  metric      ENUM('spend', 'revenue', 'roi', 'conversions', 'reach', 'ctr') NOT NULL,
  lead_days   TINYINT UNSIGNED NOT NULL,
  window_days SMALLINT UNSIGNED NOT NULL COMMENT '30 or 90 days up to data_end',
  n           INT UNSIGNED NOT NULL COMMENT 'forecasts scored',
  n_banded    INT UNSIGNED NOT NULL COMMENT 'of them, with bands',
  mase        DOUBLE NULL,
  smape       DOUBLE NULL COMMENT 'percent, 0 to 200',
  bias        DOUBLE NULL COMMENT 'mean of forecast minus actual',
  coverage_80 DOUBLE NULL COMMENT 'share of actuals inside the 80% band',
  coverage_95 DOUBLE NULL,
  PRIMARY KEY (run_id, channel, metric, lead_days, window_days),
  CONSTRAINT fk_accuracy_run FOREIGN KEY (run_id) REFERENCES ml_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A run's anomalies: days of its last 90 whose actual fell outside the 95%
-- band of the forecast made before them with the shortest lead.
CREATE TABLE ml_anomalies (
  run_id          BIGINT UNSIGNED NOT NULL,
  channel         VARCHAR(64) NOT NULL,
  metric          ENUM('spend', 'revenue', 'roi', 'conversions', 'reach', 'ctr') NOT NULL,
  day             DATE   NOT NULL,
  direction       ENUM('up', 'down') NOT NULL,
  actual          DOUBLE NOT NULL,
  forecast        DOUBLE NOT NULL,
  lower_95        DOUBLE NOT NULL,
  upper_95        DOUBLE NOT NULL,
  z               DOUBLE NULL COMMENT 'standard deviations from the forecast; NULL: a band of no width',
  lead_days       TINYINT UNSIGNED NOT NULL,
  forecast_run_id BIGINT UNSIGNED NOT NULL COMMENT 'the run whose forecast it broke',
  PRIMARY KEY (run_id, channel, metric, day),
  CONSTRAINT fk_anomalies_run FOREIGN KEY (run_id) REFERENCES ml_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- mldash schema, version 1: campaign data in, ML runs and their four
-- prediction tables out, rendered charts cached per run.
-- Money is DECIMAL (exact sums); model outputs are DOUBLE.

CREATE TABLE campaigns (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  source       VARCHAR(32)  NOT NULL COMMENT 'generic | google_ads | meta',
  external_id  VARCHAR(255) COLLATE utf8mb4_bin NOT NULL
               COMMENT 'the source''s campaign id, or its name when it has none; compared exactly',
  name         VARCHAR(512) NOT NULL,
  channel      VARCHAR(64)  NOT NULL,
  currency     CHAR(3)      NULL COMMENT 'ISO 4217; NULL when the source does not say',
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_campaigns_source_external (source, external_id),
  KEY ix_campaigns_channel (channel)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ingest_files (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sha256        CHAR(64)     NOT NULL COMMENT 'hex digest of the file bytes',
  name          VARCHAR(512) NOT NULL,
  format        VARCHAR(32)  NULL COMMENT 'generic | google_ads | meta, NULL when not recognised',
  rows_ok       INT UNSIGNED NOT NULL DEFAULT 0,
  rows_rejected INT UNSIGNED NOT NULL DEFAULT 0,
  status        ENUM('imported', 'partial', 'empty', 'rejected') NOT NULL,
  report        MEDIUMTEXT   NULL COMMENT 'rejected rows: line number and reason',
  ingested_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_ingest_files_sha256 (sha256),
  KEY ix_ingest_files_ingested_at (ingested_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A metric the source did not report is NULL, never 0.
CREATE TABLE campaign_daily (
  campaign_id          BIGINT UNSIGNED NOT NULL,
  day                  DATE            NOT NULL,
  spend                DECIMAL(16,4)   NULL,
  impressions          BIGINT UNSIGNED NULL,
  reach                BIGINT UNSIGNED NULL,
  reach_is_upper_bound BOOLEAN         NOT NULL DEFAULT FALSE
                       COMMENT 'reach summed over ads or breakdowns overcounts people',
  clicks               BIGINT UNSIGNED NULL,
  conversions          DECIMAL(16,4)   NULL COMMENT 'fractional with data-driven attribution',
  revenue              DECIMAL(18,4)   NULL,
  ingest_file_id       BIGINT UNSIGNED NULL COMMENT 'the ingest_files row that last wrote it',
  -- Only the primary key: reads go by campaign and day range, and every
  -- secondary index costs imports about 2 s per million rows.
  PRIMARY KEY (campaign_id, day),
  CONSTRAINT fk_campaign_daily_campaign FOREIGN KEY (campaign_id)
    REFERENCES campaigns (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per job run. (job, slot_time) is unique so that schedulers on
-- several hosts claim each slot exactly once. The design calls the trigger
-- column "trigger", a reserved word in SQL; here it is triggered_by.
CREATE TABLE ml_runs (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job          ENUM('ml_sync', 'campaign_sync') NOT NULL,
  triggered_by ENUM('schedule', 'manual')       NOT NULL,
  slot_time    DATETIME(3)  NOT NULL COMMENT 'the schedule slot (UTC), or the request time of a manual run',
  status       ENUM('running', 'succeeded', 'failed') NOT NULL DEFAULT 'running',
  host         VARCHAR(255) NULL COMMENT 'who runs it, to tell a dead run from a live one',
  pid          INT UNSIGNED NULL,
  started_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  finished_at  DATETIME(3)  NULL,
  rows_in      INT UNSIGNED NULL,
  error        TEXT         NULL,
  UNIQUE KEY uq_ml_runs_slot (job, slot_time),
  KEY ix_ml_runs_latest (job, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ml_roi_forecast (
  run_id         BIGINT UNSIGNED NOT NULL,
  channel        VARCHAR(64)     NOT NULL,
  horizon_days   SMALLINT UNSIGNED NOT NULL,
  predicted_roi  DOUBLE NULL,
  roi_lower_80   DOUBLE NULL,
  roi_upper_80   DOUBLE NULL,
  roi_lower      DOUBLE NULL COMMENT '95% interval',
  roi_upper      DOUBLE NULL COMMENT '95% interval',
  predicted_spend   DOUBLE NULL,
  predicted_revenue DOUBLE NULL,
  model          VARCHAR(32) NULL COMMENT 'ETS form chosen by AICc, e.g. A,Ad,A',
  backtest_smape DOUBLE NULL,
  baseline_smape DOUBLE NULL COMMENT 'seasonal-naive baseline over the same origins',
  backtest_mase  DOUBLE NULL,
  note           VARCHAR(255) NULL COMMENT 'why a value is missing',
  PRIMARY KEY (run_id, channel),
  CONSTRAINT fk_roi_forecast_run FOREIGN KEY (run_id) REFERENCES ml_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ml_roi_timeseries (
  run_id            BIGINT UNSIGNED NOT NULL,
  channel           VARCHAR(64) NOT NULL COMMENT 'a channel, or all',
  day               DATE        NOT NULL,
  kind              ENUM('actual', 'forecast') NOT NULL,
  spend             DOUBLE NULL,
  revenue           DOUBLE NULL,
  roi               DOUBLE NULL,
  roi_lower_80      DOUBLE NULL,
  roi_upper_80      DOUBLE NULL,
  roi_lower         DOUBLE NULL,
  roi_upper         DOUBLE NULL,
  conversions       DOUBLE NULL,
  conversions_lower_80 DOUBLE NULL,
  conversions_upper_80 DOUBLE NULL,
  conversions_lower DOUBLE NULL,
  conversions_upper DOUBLE NULL,
  PRIMARY KEY (run_id, channel, day, kind),
  CONSTRAINT fk_roi_timeseries_run FOREIGN KEY (run_id) REFERENCES ml_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ml_reach_ctr_timeseries (
  run_id               BIGINT UNSIGNED NOT NULL,
  channel              VARCHAR(64) NOT NULL COMMENT 'a channel, or all',
  day                  DATE        NOT NULL,
  kind                 ENUM('actual', 'forecast') NOT NULL,
  reach                DOUBLE NULL,
  reach_is_upper_bound BOOLEAN NOT NULL DEFAULT FALSE,
  reach_lower          DOUBLE NULL,
  reach_upper          DOUBLE NULL,
  impressions          DOUBLE NULL,
  impressions_lower    DOUBLE NULL,
  impressions_upper    DOUBLE NULL,
  clicks               DOUBLE NULL,
  clicks_lower         DOUBLE NULL,
  clicks_upper         DOUBLE NULL,
  ctr                  DOUBLE NULL,
  ctr_lower            DOUBLE NULL,
  ctr_upper            DOUBLE NULL,
  PRIMARY KEY (run_id, channel, day, kind),
  CONSTRAINT fk_reach_ctr_run FOREIGN KEY (run_id) REFERENCES ml_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ml_budget_recommendation (
  run_id                    BIGINT UNSIGNED NOT NULL,
  channel                   VARCHAR(64) NOT NULL,
  current_budget            DOUBLE NOT NULL COMMENT 'daily spend',
  recommended_budget        DOUBLE NOT NULL COMMENT 'daily spend',
  lower_bound               DOUBLE NULL,
  upper_bound               DOUBLE NULL,
  expected_revenue_current  DOUBLE NULL,
  expected_revenue          DOUBLE NULL,
  expected_roi_current      DOUBLE NULL,
  expected_roi              DOUBLE NULL,
  marginal_roi              DOUBLE NULL,
  curve_model               VARCHAR(16) NULL COMMENT 'hill | power',
  curve_beta                DOUBLE NULL,
  curve_k                   DOUBLE NULL,
  curve_alpha               DOUBLE NULL,
  adstock_rate              DOUBLE NULL,
  fit_r2                    DOUBLE NULL,
  confidence                VARCHAR(16) NULL COMMENT 'high | medium | low',
  PRIMARY KEY (run_id, channel),
  CONSTRAINT fk_budget_run FOREIGN KEY (run_id) REFERENCES ml_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ml_chart_cache (
  run_id     BIGINT UNSIGNED NOT NULL,
  chart      VARCHAR(32)  NOT NULL,
  width      SMALLINT UNSIGNED NOT NULL,
  height     SMALLINT UNSIGNED NOT NULL,
  theme      VARCHAR(8)   NOT NULL DEFAULT 'light',
  etag       VARCHAR(64)  NOT NULL,
  png        MEDIUMBLOB   NOT NULL,
  created_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (run_id, chart, width, height, theme),
  CONSTRAINT fk_chart_cache_run FOREIGN KEY (run_id) REFERENCES ml_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

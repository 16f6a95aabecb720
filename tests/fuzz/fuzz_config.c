/*
 * Fuzzes the config reader (lib/config.h): config_apply_string on arbitrary
 * text over the defaults. The error must be a terminated, non-empty message
 * when the text is refused, and every string field must stay terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(field) (strnlen((field), sizeof(field)) < sizeof(field))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* the file reader refuses NUL bytes; text ends at the first */

	static struct mldash_config cfg;
	config_defaults(&cfg);
	char err[512];
	err[0] = '\0';
	if (config_apply_string(&cfg, text, "fuzz.conf", err, sizeof err) != 0 &&
	    (err[0] == '\0' || !TERMINATED(err)))
		abort();
	if (!TERMINATED(cfg.database.host) || !TERMINATED(cfg.database.socket) ||
	    !TERMINATED(cfg.database.user) || !TERMINATED(cfg.database.password) ||
	    !TERMINATED(cfg.database.name) || !TERMINATED(cfg.api.token) ||
	    !TERMINATED(cfg.api.cors_origins) || !TERMINATED(cfg.ingest.spool_dir) ||
	    !TERMINATED(cfg.schedule.ml_sync) || !TERMINATED(cfg.schedule.campaign_sync) ||
	    !TERMINATED(cfg.schedule.timezone) || !TERMINATED(cfg.paths.migrations_dir))
		abort();
	(void)config_origin_allowed(&cfg, "https://example.org");
	free(text);
	return 0;
}

/*
 * calendar: the event calendar of the forecasts (models/events.h) from the
 * configuration's calendar files. The files are read here; the parsing and
 * the calendar itself are models/events's, pure.
 *
 * Which files, in order, each over what came before ([events] of
 * mldash.conf):
 *   the built-in retail calendar (US-centric, with Amazon Prime Day);
 *   <dir>/default.csv                 for every installation;
 *   <dir>/country-<country>.csv       when [events] country is set;
 *   <dir>/account-<account>.csv       when [events] account is set.
 * mldash's data carries no country or account per campaign (campaigns:
 * source, external_id, name, channel, currency), and one installation
 * serves one advertiser, so the installation says which it is. A missing
 * default.csv is fine; a missing country or account file is logged (a
 * warning: it was asked for) and skipped; a dir that does not exist, or
 * a bad line, is an error naming the file and line.
 */
#ifndef MLDASH_CALENDAR_H
#define MLDASH_CALENDAR_H

#include <stddef.h>

#include "config.h"
#include "events.h"

/*
 * Builds the calendar the configuration asks for into *out (the caller
 * frees it with event_calendar_free). Returns 0, or -1 with a message in
 * err and *out NULL.
 */
int calendar_load(const struct mldash_config *cfg, struct event_calendar **out, char *err,
		  size_t errlen);

/*
 * Applies the calendar file at path to cal. A missing file is an error
 * when must_exist, else a no-op returning 1. Returns 0 (applied), 1
 * (missing), or -1 with "path:line: what" or "path: why" in err (cal then
 * holds the lines before the bad one: discard it).
 */
int calendar_apply_file(struct event_calendar *cal, const char *path, int must_exist, char *err,
			size_t errlen);

#endif

/* commands: subcommands of mldash that live in files of their own. */
#ifndef MLDASH_COMMANDS_H
#define MLDASH_COMMANDS_H

#include "config.h"

int cmd_forecast(const struct mldash_config *cfg, int argc, char **argv);
int cmd_budget(const struct mldash_config *cfg, int argc, char **argv);
int cmd_render(const struct mldash_config *cfg, int argc, char **argv);
/* Loads the configuration itself: config_path is --config or NULL. */
int cmd_doctor(const char *config_path, int argc, char **argv);

#endif

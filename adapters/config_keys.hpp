// The table of configuration keys (conf/vfb.conf documents every one): the single place that
// knows each key's section, type and allowed values. Used by the config file reader, by
// `--set section.key=value` and by the environment flags alike. Pure code: no CAF.
#pragma once

#include "adapters/config_file.hpp"

#include <string>

namespace vfb {

/// Whether `section` is known: a section of the key table, or one of the free-form ones
/// ([webhooks], [guilds], [guild_operators], [backfill_posts]).
bool is_config_section(const std::string& section);

/// Sets "section.key" in `c` from its text. `where` names the origin for messages ("FILE:LINE",
/// "--set KEY", "environment VAR"). Throws config_error for unknown keys and bad values.
void set_config_key(vfb_config& c, const std::string& key, const std::string& where,
                    const std::string& value);

} // namespace vfb

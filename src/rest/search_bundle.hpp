// Helpers shared by the interactions that answer with Bundles of stored resources (search,
// history, $everything). Internal to rest/.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rest/bundle_writer.hpp"
#include "rest/interactions.hpp"
#include "rest/subset.hpp"

namespace chartroom::rest {

// [base]/type (or [base] when `type` is empty).
std::string TypeUrl(const RequestContext& context, std::string_view type);
// [base]/type/id: an entry's fullUrl.
std::string ResourceUrl(const RequestContext& context, std::string_view type, std::string_view id);
// One entry per version with search.mode `mode`, reduced per `subsetting`.
void AddSearchEntries(BundleWriter& writer, const RequestContext& context,
                      const std::vector<store::ResourceVersion>& versions,
                      const Subsetting& subsetting, std::string_view mode);

}  // namespace chartroom::rest

// The hand-written camelCase <-> PascalCase table (src/guardduty/member_names.h) against the
// AWS SDK's model, as scripts/golden-shapes.mjs extracted it into
// tests/golden/shapes/member-names.json.
#include "guardduty/member_names.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

namespace guardfeed::internal {
namespace {

using Member = std::string_view FindingNames::*;

// Every member path the reader looks up, as a chain of table entries.
const std::vector<std::vector<Member>>& ReaderPaths() {
  using N = FindingNames;
  static const std::vector<std::vector<Member>> paths = {
      {&N::id},
      {&N::type},
      {&N::severity},
      {&N::account_id},
      {&N::region},
      {&N::created_at},
      {&N::updated_at},
      {&N::service, &N::archived},
      {&N::service, &N::count},
      {&N::service, &N::event_first_seen},
      {&N::service, &N::event_last_seen},
      {&N::service, &N::additional_info, &N::value},
      {&N::service, &N::action, &N::action_type},
      {&N::service, &N::action, &N::network_connection_action, &N::connection_direction},
      {&N::service, &N::action, &N::network_connection_action, &N::remote_ip_details,
       &N::ip_address_v4},
      {&N::service, &N::action, &N::network_connection_action, &N::remote_ip_details,
       &N::ip_address_v6},
      {&N::service, &N::action, &N::aws_api_call_action, &N::remote_ip_details, &N::ip_address_v4},
      {&N::service, &N::action, &N::aws_api_call_action, &N::remote_ip_details, &N::ip_address_v6},
      {&N::service, &N::action, &N::rds_login_attempt_action, &N::remote_ip_details,
       &N::ip_address_v4},
      {&N::service, &N::action, &N::rds_login_attempt_action, &N::remote_ip_details,
       &N::ip_address_v6},
      {&N::service, &N::action, &N::dns_request_action, &N::dns_domain},
      {&N::service, &N::action, &N::port_probe_action, &N::port_probe_details,
       &N::remote_ip_details, &N::ip_address_v4},
      {&N::service, &N::action, &N::port_probe_action, &N::port_probe_details,
       &N::remote_ip_details, &N::ip_address_v6},
      {&N::service, &N::action, &N::kubernetes_api_call_action, &N::remote_ip_details,
       &N::ip_address_v4},
      {&N::service, &N::action, &N::kubernetes_api_call_action, &N::remote_ip_details,
       &N::ip_address_v6},
      {&N::service, &N::action, &N::kubernetes_api_call_action, &N::source_ips},
      {&N::service, &N::detection, &N::sequence, &N::endpoints, &N::endpoint_ip},
      {&N::service, &N::detection, &N::sequence, &N::endpoints, &N::endpoint_domain},
  };
  return paths;
}

std::string Spell(const FindingNames& names, const std::vector<Member>& path) {
  std::string out;
  for (Member member : path) {
    if (!out.empty()) out += '.';
    out += names.*member;
  }
  return out;
}

TEST(MemberNames, MatchTheSdkModel) {
  auto file = std::filesystem::path(GUARDFEED_SOURCE_DIR) / "tests" / "golden" / "shapes" /
              "member-names.json";
  simdjson::dom::parser parser;
  simdjson::dom::object members;
  ASSERT_EQ(parser.load(file.string())["members"].get(members), simdjson::SUCCESS) << file;
  EXPECT_EQ(members.size(), ReaderPaths().size()) << "a path was added on one side only";
  for (const std::vector<Member>& path : ReaderPaths()) {
    std::string wire = Spell(kWireNames, path);
    std::string_view sdk;
    ASSERT_EQ(members[wire].get(sdk), simdjson::SUCCESS) << wire << " is not in the SDK table";
    EXPECT_EQ(Spell(kSdkNames, path), sdk) << wire;
  }
}

TEST(MemberNames, SdkSpellsSourceIpsItsOwnWay) {
  EXPECT_EQ(kWireNames.source_ips, "sourceIPs");
  EXPECT_EQ(kSdkNames.source_ips, "SourceIps");
}

}  // namespace
}  // namespace guardfeed::internal

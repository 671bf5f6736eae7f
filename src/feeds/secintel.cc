// Juniper SRX SecIntel: data files, manifest.xml and cc_schema
// (shared/formats/juniper-secintel.md; docs/formats.md, "secintel").
#include "feeds/secintel.h"

#include "core/hash.h"
#include "feeds/render_util.h"

namespace guardfeed {
namespace {

using feeds_internal::AppendInt;
using feeds_internal::AppendJsonString;
using feeds_internal::AppendUint;

// The cc_schema the reference integration serves, byte for byte (LF, final newline).
constexpr std::string_view kCcSchema = R"(<?xml version="1.0" ?>
<config category="CC" description="Command and Control data schema" version="c66b370237">
  <type code="0" name="description"/>
  <type code="1" group="dns" name="dn"/>
  <type code="2" group="port" name="dst_port"/>
  <type code="3" group="flow" name="flow_dir"/>
  <type code="4" group="ip" name="ip_addr"/>
  <type code="5" group="ip" name="ip_range"/>
  <type code="6" group="port" name="src_port"/>
  <type code="7" group="url" name="url"/>
  <type code="60" group="ipv6" name="ipv6_addr"/>
  <type code="61" group="ipv6" name="ipv6_range"/>
  <type code="8" name="properties"/>
  <type base="int" code="9" group="property" name="threat_level"/>
  <property description="" name="threat_level">
    <value_range max="10" min="0"/>
  </property>
  <actions>
    <property name="threat_level" options="nooverride">
      <default_action action="permit"/>
      <trigger action="block" value="8"/>
      <trigger action="block" value="9"/>
      <trigger action="block" value="10"/>
    </property>
  </actions>
</config>
)";

// Longest add line: {"1":"<253-byte domain>","8":{"9":10}} plus newline; IPv4 lines are ~30.
constexpr size_t kIpv4LineBytes = 32;
constexpr size_t kDomainLineOverhead = 24;

void AppendHeaderLine(std::string& out, const std::string& version,
                      const std::string& previous_version) {
  out += R"({"filter":{},"previous_version":)";
  if (previous_version.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, previous_version);
  }
  out += R"(,"schema_version":")";
  out += kSecIntelSchemaVersion;
  out += R"(","version":)";
  AppendJsonString(out, version);
  out += "}\n";
}

// Escapes text for an XML attribute value or text node (names and versions are plain ASCII in
// practice; this keeps the document well-formed whatever configuration holds).
void AppendXmlEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
}

void AppendAttribute(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(' ');
  out += name;
  out += "=\"";
  AppendXmlEscaped(out, value);
  out.push_back('"');
}

void AppendManifestFeed(std::string& out, const ManifestFeed& feed,
                        const SecIntelOptions& options) {
  out += "    <feed";
  AppendAttribute(out, "name", feed.name);
  AppendAttribute(out, "data_ts", std::to_string(feed.data_ts));
  AppendAttribute(out, "objects", std::to_string(feed.objects));
  AppendAttribute(out, "version", feed.version);
  AppendAttribute(out, "options", "");
  AppendAttribute(out, "types", feed.types);
  AppendAttribute(out, "ttl", std::to_string(options.ttl));
  AppendAttribute(out, "update_interval", std::to_string(options.update_interval));
  out += ">\n      <data>\n        <url>/";
  AppendXmlEscaped(out, feed.name);
  out += "</url>\n      </data>\n    </feed>\n";
}

// One #add line; nothing for IPv6, which has no documented SecIntel encoding (docs/formats.md).
void AppendDataLine(std::string& out, const FeedEntry& entry) {
  if (entry.indicator.kind == IndicatorKind::kIpv4) {
    out += R"({"4":)";
    AppendUint(out, entry.address.V4());
  } else if (entry.indicator.kind == IndicatorKind::kDomain) {
    out += R"({"1":)";
    AppendJsonString(out, entry.indicator.value);
  } else {
    return;
  }
  out += R"(,"8":{"9":)";
  AppendInt(out, entry.threat_level);
  out += "}}\n";
}

// "#end", then the MD5 hex of every byte before it.
void AppendTrailer(std::string& out) {
  out += "#end\n";
  out += Md5Hex(out);
  out.push_back('\n');
}

class SecIntelRenderer final : public Renderer {
 public:
  RenderedFeed Render(const FeedConfig& /*config*/, std::span<const FeedEntry> entries,
                      const RenderInfo& info) const override {
    RenderedFeed feed;
    feed.body = RenderSecIntelData(entries, info.version);
    for (const FeedEntry& entry : entries) {
      if (entry.indicator.kind != IndicatorKind::kIpv6) ++feed.entries;
    }
    return feed;
  }

  void AppendHead(const FeedConfig& /*config*/, const RenderInfo& info, uint64_t /*entries*/,
                  std::string& out) const override {
    AppendHeaderLine(out, info.version, "");
    out += "#del\n#add\n";
  }
  void AppendEntry(const FeedConfig& /*config*/, const FeedEntry& entry,
                   std::string& out) const override {
    AppendDataLine(out, entry);
  }
  void AppendTail(const FeedConfig& /*config*/, uint64_t /*entries*/,
                  std::string& out) const override {
    AppendTrailer(out);
  }

  std::string ContentType() const override { return "text/plain"; }
  std::string FileName(const FeedConfig& config) const override { return config.name; }
};

}  // namespace

std::string RenderSecIntelData(std::span<const FeedEntry> entries, const std::string& version,
                               const std::string& previous_version) {
  size_t bytes = 160 + version.size() + previous_version.size();
  for (const FeedEntry& entry : entries) {
    bytes += entry.indicator.kind == IndicatorKind::kIpv4
                 ? kIpv4LineBytes
                 : kDomainLineOverhead + entry.indicator.value.size();
  }
  std::string out;
  out.reserve(bytes);
  AppendHeaderLine(out, version, previous_version);
  out += "#del\n#add\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    feeds_internal::PrefetchValue(entries, i);
    AppendDataLine(out, entries[i]);
  }
  AppendTrailer(out);
  return out;
}

std::string RenderSecIntelManifest(const std::vector<ManifestFeed>& feeds,
                                   const SecIntelOptions& options) {
  std::string out = "<?xml version=\"1.0\" ?>\n<manifest";
  const size_t version_at = out.size();
  AppendAttribute(out, "update_interval", std::to_string(options.manifest_update_interval));
  out += ">\n  <category";
  AppendAttribute(out, "options", "");
  AppendAttribute(out, "name", "CC");
  AppendAttribute(out, "description", "Command and Control data schema");
  AppendAttribute(out, "ttl", std::to_string(options.ttl));
  AppendAttribute(out, "update_interval", std::to_string(options.update_interval));
  out += ">\n    <config version=\"";
  out += kSecIntelSchemaVersion;
  out += "\">\n      <url>/cc_schema</url>\n    </config>\n";
  for (const ManifestFeed& feed : feeds) {
    if (feed.objects > 0) AppendManifestFeed(out, feed, options);
  }
  out += "  </category>\n</manifest>\n";
  // The version is the MD5 of the document without it, as the reference computes it.
  std::string version;
  AppendAttribute(version, "version", Md5Hex(out));
  out.insert(version_at, version);
  return out;
}

const std::string& SecIntelCcSchema() {
  static const std::string* const kSchema = new std::string(kCcSchema);
  return *kSchema;
}

bool IsValidSecIntelFeedName(std::string_view name) {
  if (name.size() < 8 || name.size() > 64) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

namespace feeds_internal {

std::unique_ptr<Renderer> NewSecIntelRenderer() { return std::make_unique<SecIntelRenderer>(); }

}  // namespace feeds_internal
}  // namespace guardfeed

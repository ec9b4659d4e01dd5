// rtnetlink/ethtool-netlink part of the netclass collector; see netclass_rtnl.h.
#include "exporter/collectors/linux/netclass_rtnl.h"

#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace exporter {
namespace {

// One netlink socket; closed on destruction.
class NetlinkSocket {
 public:
  explicit NetlinkSocket(int protocol) {
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (fd_ < 0) return;
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~NetlinkSocket() {
    if (fd_ >= 0) close(fd_);
  }
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;
  bool ok() const { return fd_ >= 0; }

  // Sends request (a complete netlink message) and hands each reply payload
  // (after the nlmsghdr) to on_msg until the end of the reply. Returns 0 or
  // the errno the kernel answered with.
  int Transact(std::vector<char> request,
               const std::function<void(uint16_t type, const char* data, size_t len)>& on_msg) {
    auto* hdr = reinterpret_cast<nlmsghdr*>(request.data());
    hdr->nlmsg_len = static_cast<uint32_t>(request.size());
    hdr->nlmsg_seq = ++seq_;
    bool dump = hdr->nlmsg_flags & NLM_F_DUMP;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (sendto(fd_, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof(kernel)) < 0) {
      return errno;
    }
    std::vector<char> buf(1 << 16);
    for (;;) {
      ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      size_t left = static_cast<size_t>(n);
      for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, left);
           h = NLMSG_NEXT(h, left)) {
        if (h->nlmsg_seq != seq_) continue;
        if (h->nlmsg_type == NLMSG_DONE) return 0;
        if (h->nlmsg_type == NLMSG_ERROR) {
          auto* err = reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h));
          return -err->error;  // 0 is the ACK of a non-dump request
        }
        on_msg(h->nlmsg_type, reinterpret_cast<const char*>(NLMSG_DATA(h)),
               h->nlmsg_len - NLMSG_HDRLEN);
        if (!dump && !(h->nlmsg_flags & NLM_F_MULTI)) return 0;
      }
    }
  }

 private:
  int fd_ = -1;
  uint32_t seq_ = 0;
};

// Attributes (type -> payload) of a run of rtattr/nlattr (same layout).
std::map<uint16_t, std::string> Attrs(const char* data, size_t len) {
  std::map<uint16_t, std::string> out;
  while (len >= sizeof(nlattr)) {
    nlattr a;
    std::memcpy(&a, data, sizeof(a));
    if (a.nla_len < sizeof(nlattr) || a.nla_len > len) break;
    out[a.nla_type & NLA_TYPE_MASK] = std::string(data + NLA_HDRLEN, a.nla_len - NLA_HDRLEN);
    size_t step = NLA_ALIGN(a.nla_len);
    if (step >= len) break;
    data += step;
    len -= step;
  }
  return out;
}

template <typename T>
std::optional<T> Get(const std::map<uint16_t, std::string>& attrs, uint16_t type) {
  auto it = attrs.find(type);
  if (it == attrs.end() || it->second.size() < sizeof(T)) return std::nullopt;
  T v;
  std::memcpy(&v, it->second.data(), sizeof(T));
  return v;
}

void AppendAttr(std::vector<char>* msg, uint16_t type, const void* data, size_t len) {
  nlattr a{};
  a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
  a.nla_type = type;
  size_t at = msg->size();
  msg->resize(at + NLA_ALIGN(a.nla_len), 0);
  std::memcpy(msg->data() + at, &a, sizeof(a));
  if (len) std::memcpy(msg->data() + at + NLA_HDRLEN, data, len);
}

// net.HardwareAddr's String(): lower-case hex bytes joined by ':'.
std::string HardwareAddr(const std::map<uint16_t, std::string>& attrs, uint16_t type) {
  auto it = attrs.find(type);
  if (it == attrs.end()) return "";
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : it->second) {
    if (!s.empty()) s.push_back(':');
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

struct LinkMode {
  uint32_t speed_mbps = 0;
  std::optional<uint8_t> duplex;
};

// Speed and duplex per interface name from ETHTOOL_MSG_LINKMODES_GET.
// nullopt when the kernel has no ethtool netlink family (before Linux 5.6).
std::optional<std::map<std::string, LinkMode>> LinkModes(int* err) {
  *err = 0;
  NetlinkSocket nl(NETLINK_GENERIC);
  if (!nl.ok()) {
    *err = errno;
    return std::nullopt;
  }
  std::vector<char> req(NLMSG_HDRLEN + GENL_HDRLEN, 0);
  auto* h = reinterpret_cast<nlmsghdr*>(req.data());
  h->nlmsg_type = GENL_ID_CTRL;
  h->nlmsg_flags = NLM_F_REQUEST;
  auto* g = reinterpret_cast<genlmsghdr*>(req.data() + NLMSG_HDRLEN);
  g->cmd = CTRL_CMD_GETFAMILY;
  g->version = 1;
  AppendAttr(&req, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME, sizeof(ETHTOOL_GENL_NAME));
  std::optional<uint16_t> family;
  int rc = nl.Transact(req, [&](uint16_t, const char* data, size_t len) {
    if (len < GENL_HDRLEN) return;
    family = Get<uint16_t>(Attrs(data + GENL_HDRLEN, len - GENL_HDRLEN), CTRL_ATTR_FAMILY_ID);
  });
  if (rc == ENOENT || (rc == 0 && !family)) return std::nullopt;
  if (rc != 0) {
    *err = rc;
    return std::nullopt;
  }
  std::vector<char> dump(NLMSG_HDRLEN + GENL_HDRLEN, 0);
  h = reinterpret_cast<nlmsghdr*>(dump.data());
  h->nlmsg_type = *family;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  g = reinterpret_cast<genlmsghdr*>(dump.data() + NLMSG_HDRLEN);
  g->cmd = ETHTOOL_MSG_LINKMODES_GET;
  g->version = ETHTOOL_GENL_VERSION;
  uint32_t flags = ETHTOOL_FLAG_COMPACT_BITSETS;
  std::vector<char> header;
  AppendAttr(&header, ETHTOOL_A_HEADER_FLAGS, &flags, sizeof(flags));
  AppendAttr(&dump, ETHTOOL_A_LINKMODES_HEADER | NLA_F_NESTED, header.data(), header.size());
  std::map<std::string, LinkMode> out;
  rc = nl.Transact(dump, [&](uint16_t, const char* data, size_t len) {
    if (len < GENL_HDRLEN) return;
    auto attrs = Attrs(data + GENL_HDRLEN, len - GENL_HDRLEN);
    auto hdr = attrs.find(ETHTOOL_A_LINKMODES_HEADER);
    if (hdr == attrs.end()) return;
    auto hattrs = Attrs(hdr->second.data(), hdr->second.size());
    auto name = hattrs.find(ETHTOOL_A_HEADER_DEV_NAME);
    if (name == hattrs.end()) return;
    std::string n = name->second.c_str();
    LinkMode lm;
    lm.speed_mbps = Get<uint32_t>(attrs, ETHTOOL_A_LINKMODES_SPEED).value_or(0);
    lm.duplex = Get<uint8_t>(attrs, ETHTOOL_A_LINKMODES_DUPLEX);
    out[n] = lm;
  });
  if (rc != 0) {
    *err = rc;
    return std::nullopt;
  }
  return out;
}

// mdlayher/ethtool's Duplex.String().
std::string DuplexString(std::optional<uint8_t> d) {
  if (!d) return "Half";  // absent attribute decodes as the zero value
  switch (*d) {
    case 0:
      return "Half";
    case 1:
      return "Full";
    case 0xff:
      return "Unknown";
    default:
      return "Duplex(" + std::to_string(*d) + ")";
  }
}

const char* kOperstate[] = {"unknown", "notpresent", "down", "lowerlayerdown",
                            "testing", "dormant",    "up"};

// rtnl_link_stats64 members, in kernel order, with their metric names.
const char* kStats64[] = {
    "receive_packets_total",
    "transmit_packets_total",
    "receive_bytes_total",
    "transmit_bytes_total",
    "receive_errors_total",
    "transmit_errors_total",
    "receive_dropped_total",
    "transmit_dropped_total",
    "multicast_total",
    "collisions_total",
    "receive_length_errors_total",
    "receive_over_errors_total",
    "receive_crc_errors_total",
    "receive_frame_errors_total",
    "receive_fifo_errors_total",
    "receive_missed_errors_total",
    "transmit_aborted_errors_total",
    "transmit_carrier_errors_total",
    "transmit_fifo_errors_total",
    "transmit_heartbeat_errors_total",
    "transmit_window_errors_total",
    "receive_compressed_total",
    "transmit_compressed_total",
    "receive_nohandler_total",
};

}  // namespace

common::Status CollectNetClassRtnl(MetricSink& sink, const RE2& ignored, bool with_stats) {
  auto prop = [&](const std::string& name, const std::string& dev, double v, bool counter) {
    std::string help = "Network device property: " + name;
    if (counter) {
      sink.Counter("node_network_" + name, help, {{"device", dev}}, v);
    } else {
      sink.Gauge("node_network_" + name, help, {{"device", dev}}, v);
    }
  };

  int err = 0;
  auto modes = LinkModes(&err);
  if (err != 0) {
    return common::Status::IOError(std::string("could not get link modes: ") + strerror(err));
  }
  std::map<std::string, LinkMode> link_modes;
  if (modes) {
    for (const auto& [name, lm] : *modes) {
      if (RE2::PartialMatch(name, ignored)) continue;
      // SPEED_UNKNOWN (0xffffffff) is not negative as node_exporter reads it.
      prop("speed_bytes", name, static_cast<double>(uint64_t{lm.speed_mbps} * 1000 * 1000 / 8),
           false);
      link_modes[name] = lm;
    }
  }

  NetlinkSocket nl(NETLINK_ROUTE);
  if (!nl.ok()) return common::Status::IOError("could not get net class info: netlink socket");
  std::vector<char> req(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg)), 0);
  auto* h = reinterpret_cast<nlmsghdr*>(req.data());
  h->nlmsg_type = RTM_GETLINK;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  reinterpret_cast<ifinfomsg*>(req.data() + NLMSG_HDRLEN)->ifi_family = AF_UNSPEC;
  struct Link {
    ifinfomsg info;
    std::map<uint16_t, std::string> attrs;
  };
  std::vector<Link> links;
  int rc = nl.Transact(req, [&](uint16_t type, const char* data, size_t len) {
    if (type != RTM_NEWLINK || len < NLMSG_ALIGN(sizeof(ifinfomsg))) return;
    Link l;
    std::memcpy(&l.info, data, sizeof(ifinfomsg));
    l.attrs = Attrs(data + NLMSG_ALIGN(sizeof(ifinfomsg)), len - NLMSG_ALIGN(sizeof(ifinfomsg)));
    links.push_back(std::move(l));
  });
  if (rc != 0) {
    return common::Status::IOError(std::string("could not get net class info: ") + strerror(rc));
  }

  for (const Link& l : links) {
    auto name_it = l.attrs.find(IFLA_IFNAME);
    std::string name = name_it == l.attrs.end() ? "" : name_it->second.c_str();
    if (RE2::PartialMatch(name, ignored)) continue;
    uint8_t operstate = Get<uint8_t>(l.attrs, IFLA_OPERSTATE).value_or(0);
    sink.Gauge("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.",
               {{"device", name}}, operstate == 6 /* IF_OPER_UP */ ? 1 : 0);
    auto alias = l.attrs.find(IFLA_IFALIAS);
    auto lm = link_modes.find(name);
    sink.Gauge("node_network_info", "Non-numeric data of <iface>, value is always 1.",
               {{"address", HardwareAddr(l.attrs, IFLA_ADDRESS)},
                {"broadcast", HardwareAddr(l.attrs, IFLA_BROADCAST)},
                {"device", name},
                {"duplex", lm == link_modes.end() ? "" : DuplexString(lm->second.duplex)},
                {"ifalias", alias == l.attrs.end() ? "" : alias->second.c_str()},
                {"operstate", operstate < 7 ? kOperstate[operstate] : "unknown"}},
               1);
    if (auto v = Get<uint8_t>(l.attrs, IFLA_CARRIER)) prop("carrier", name, *v, false);
    if (auto v = Get<uint32_t>(l.attrs, IFLA_CARRIER_CHANGES)) {
      prop("carrier_changes_total", name, *v, true);
    }
    if (auto v = Get<uint32_t>(l.attrs, IFLA_CARRIER_UP_COUNT)) {
      prop("carrier_up_changes_total", name, *v, true);
    }
    if (auto v = Get<uint32_t>(l.attrs, IFLA_CARRIER_DOWN_COUNT)) {
      prop("carrier_down_changes_total", name, *v, true);
    }
    prop("flags", name, l.info.ifi_flags, false);
    prop("iface_id", name, l.info.ifi_index, false);
    auto link_mode = Get<uint8_t>(l.attrs, IFLA_LINKMODE);
    if (link_mode) {
      prop("iface_link_mode", name, *link_mode, false);
      // node_exporter 1.5 reports the link mode as "dormant" here too.
      prop("dormant", name, *link_mode, false);
    }
    // The kernel leaves IFLA_LINK out when it equals the interface's index.
    uint32_t iflink = Get<uint32_t>(l.attrs, IFLA_LINK).value_or(0);
    prop("iface_link", name, iflink > 0 ? iflink : static_cast<uint32_t>(l.info.ifi_index), false);
    prop("mtu_bytes", name, Get<uint32_t>(l.attrs, IFLA_MTU).value_or(0), false);
    if (auto v = Get<uint32_t>(l.attrs, IFLA_GROUP)) prop("net_dev_group", name, *v, false);
    prop("transmit_queue_length", name, Get<uint32_t>(l.attrs, IFLA_TXQLEN).value_or(0), false);
    prop("protocol_type", name, l.info.ifi_type, false);

    auto stats = l.attrs.find(IFLA_STATS64);
    if (!with_stats || stats == l.attrs.end()) continue;
    size_t n = std::min(stats->second.size() / 8, std::size(kStats64));
    for (size_t i = 0; i < n; ++i) {
      uint64_t v;
      std::memcpy(&v, stats->second.data() + i * 8, 8);
      prop(kStats64[i], name, static_cast<double>(v), false);
    }
  }
  return common::Status::OK();
}

}  // namespace exporter

// LEMON peer for the buddy solver: MaxWeightedMatching on a SmartGraph.
//
// Build: g++ -O2 -std=c++17 -o lemon_matching lemon_matching.cpp -llemon
//        (Debian: apt-get install liblemon-dev)
// Usage: lemon_matching GRAPH.json
//
// GRAPH.json is what `buddymatch solve --kind buddy --emit-graph` writes:
// {"kind":"buddy","n":N,"max_cardinality":bool,"edges":[[u,v,w],...]}
// A tiny purpose-built reader handles exactly that shape (integers only).
//
// LEMON maximises weight only. For max_cardinality every edge gets
// BIG = sum|w| + 1 added (so one more matched pair always wins) and the
// reported total is recomputed from the original weights.
// Parallel edges keep the heaviest weight; self-loops are dropped, as in our
// solver. Weights are int64.
//
// Prints one JSON line {"peer":"lemon","total_weight":T,"matched":M,"seconds":S}.
// Timed: building the SmartGraph and its weight map plus run(); not reading
// or parsing the file. `matched` counts matched pairs.
#include <lemon/matching.h>
#include <lemon/smart_graph.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

[[noreturn]] void die(const char* msg) {
  std::fprintf(stderr, "lemon_matching: %s\n", msg);
  std::exit(2);
}

// Position just after `"key"` and the following colon.
size_t after_key(const std::string& s, const char* key) {
  std::string quoted = std::string("\"") + key + "\"";
  size_t p = s.find(quoted);
  if (p == std::string::npos) die("missing key");
  p = s.find(':', p + quoted.size());
  if (p == std::string::npos) die("malformed key");
  return p + 1;
}

bool parse_int(const std::string& s, size_t& p, int64_t& out) {
  while (p < s.size() && s[p] != '-' && (s[p] < '0' || s[p] > '9')) {
    if (s[p] == ']') return false;  // caller decides what a bracket means
    ++p;
  }
  if (p >= s.size()) return false;
  bool neg = s[p] == '-';
  if (neg) ++p;
  int64_t v = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') v = v * 10 + (s[p++] - '0');
  out = neg ? -v : v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) die("usage: lemon_matching GRAPH.json");
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) die("cannot open input");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string s = buf.str();

  size_t p = after_key(s, "n");
  int64_t n = 0;
  if (!parse_int(s, p, n) || n < 0) die("bad n");
  p = after_key(s, "max_cardinality");
  while (p < s.size() && s[p] == ' ') ++p;
  const bool maxcard = s.compare(p, 4, "true") == 0;

  // Edges: read [u,v,w] triples until the outer array closes.
  p = s.find('[', after_key(s, "edges"));
  if (p == std::string::npos) die("bad edges");
  ++p;
  std::vector<std::tuple<int64_t, int64_t, int64_t>> edges;
  for (;;) {
    while (p < s.size() && (s[p] == ' ' || s[p] == ',' || s[p] == '\n' || s[p] == '\r' || s[p] == '\t')) ++p;
    if (p >= s.size()) die("unterminated edges");
    if (s[p] == ']') break;
    if (s[p] != '[') die("bad edge");
    ++p;
    int64_t u, v, w;
    if (!parse_int(s, p, u) || !parse_int(s, p, v) || !parse_int(s, p, w)) die("bad edge");
    p = s.find(']', p);
    if (p == std::string::npos) die("bad edge");
    ++p;
    if (u < 0 || v < 0 || u >= n || v >= n || u == v) continue;
    if (u > v) std::swap(u, v);
    edges.emplace_back(u, v, w);
  }
  // Heaviest first within a pair, then keep the first of each pair.
  std::sort(edges.begin(), edges.end(), [](const auto& a, const auto& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
    if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) < std::get<1>(b);
    return std::get<2>(a) > std::get<2>(b);
  });
  edges.erase(std::unique(edges.begin(), edges.end(),
                          [](const auto& a, const auto& b) {
                            return std::get<0>(a) == std::get<0>(b) && std::get<1>(a) == std::get<1>(b);
                          }),
              edges.end());
  int64_t big = 0;
  if (maxcard) {
    for (const auto& e : edges) big += std::llabs(std::get<2>(e));
    big += 1;
  }

  auto start = std::chrono::steady_clock::now();
  lemon::SmartGraph g;
  g.reserveNode(static_cast<int>(n));
  g.reserveEdge(static_cast<int>(edges.size()));
  std::vector<lemon::SmartGraph::Node> nodes;
  nodes.reserve(n);
  for (int64_t i = 0; i < n; ++i) nodes.push_back(g.addNode());
  std::vector<lemon::SmartGraph::Edge> gedges;
  gedges.reserve(edges.size());
  for (const auto& e : edges) gedges.push_back(g.addEdge(nodes[std::get<0>(e)], nodes[std::get<1>(e)]));
  lemon::SmartGraph::EdgeMap<int64_t> weight(g);
  for (size_t i = 0; i < edges.size(); ++i) weight[gedges[i]] = std::get<2>(edges[i]) + big;
  lemon::MaxWeightedMatching<lemon::SmartGraph, lemon::SmartGraph::EdgeMap<int64_t>> mwm(g, weight);
  mwm.run();
  auto stop = std::chrono::steady_clock::now();

  int64_t total = 0;
  int64_t matched = 0;
  for (size_t i = 0; i < edges.size(); ++i) {
    if (mwm.matching(gedges[i])) {
      total += std::get<2>(edges[i]);
      ++matched;
    }
  }
  double seconds = std::chrono::duration<double>(stop - start).count();
  std::printf("{\"peer\":\"lemon\",\"total_weight\":%lld,\"matched\":%lld,\"seconds\":%.6f}\n",
              static_cast<long long>(total), static_cast<long long>(matched), seconds);
  return 0;
}

#include "harness/system/procfs/pagetypeinfo.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <span>
#include <utility>

#include "harness/system/procfs/text.h"

namespace memharness::system::procfs {

namespace {

// Layout of mm/vmstat.c pagetypeinfo_show(), printed once per node.
constexpr std::string_view free_table_header = "Free pages count per migrate type at order";
constexpr std::string_view pageblock_table_header = "Number of blocks type";
constexpr std::string_view mixed_table_header = "Number of mixed blocks";

enum class Table { none, free_blocks, pageblocks, mixed_pageblocks };

// The words of a header line after its title, e.g. the orders or migrate types.
std::optional<std::vector<std::string_view>> header_columns(std::string_view line, std::string_view title) {
  auto title_words = text::fields(title);
  auto words = text::fields(line);
  if (words.size() < title_words.size() || !std::equal(title_words.begin(), title_words.end(), words.begin()))
    return std::nullopt;
  return std::vector<std::string_view>(words.begin() + static_cast<std::ptrdiff_t>(title_words.size()), words.end());
}

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  void feed(const text::Line& line) {
    line_ = &line;
    auto words = text::fields(line.content);
    if (words.empty()) return;
    if (words[0] == "Node") return row(words);
    if (auto value = labelled_value(words, "Page block order:")) {
      if (*value > std::numeric_limits<int>::max()) fail("page block order {} is too large", *value);
      return set_once(info_.page_block_order, static_cast<int>(*value), have_block_order_, "page block order");
    }
    if (auto value = labelled_value(words, "Pages per block:"))
      return set_once(info_.pages_per_block, *value, have_pages_per_block_, "pages per block");
    if (auto orders = header_columns(line.content, free_table_header)) return free_header(*orders);
    if (auto types = header_columns(line.content, pageblock_table_header))
      return pageblock_header(*types, Table::pageblocks);
    if (auto types = header_columns(line.content, mixed_table_header))
      return pageblock_header(*types, Table::mixed_pageblocks);
    fail("unexpected line '{}'", line.content);
  }

  PageTypeInfo finish() {
    if (!have_block_order_ || !have_pages_per_block_)
      throw environment_error("{}: no 'Page block order' and 'Pages per block' lines", source_);
    return std::move(info_);
  }

 private:
  template <typename... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) const {
    throw text::parse_error(source_, line_->number, f, std::forward<Args>(args)...);
  }

  // "Page block order: 9" -> 9 when `label` matches the leading words.
  std::optional<std::int64_t> labelled_value(const std::vector<std::string_view>& words, std::string_view label) const {
    auto label_words = text::fields(label);
    if (words.size() != label_words.size() + 1 || !std::equal(label_words.begin(), label_words.end(), words.begin()))
      return std::nullopt;
    auto value = text::to_count(words.back());
    if (!value) fail("expected a number after '{}', got '{}'", label, words.back());
    return value;
  }

  // Nodes repeat these lines; they must agree, or per-node data would be mixed up.
  template <typename T>
  void set_once(T& field, T value, bool& seen, std::string_view what) {
    if (seen && field != value) fail("{} {} differs from {} given earlier", what, value, field);
    field = value;
    seen = true;
  }

  void free_header(const std::vector<std::string_view>& orders) {
    if (orders.empty()) fail("no orders in the free pages table header");
    for (std::size_t order = 0; order < orders.size(); ++order) {
      if (text::to_count(orders[order]) != static_cast<std::int64_t>(order))
        fail("expected order {} in the free pages table header, got '{}'", order, orders[order]);
    }
    if (order_count_ != 0 && order_count_ != orders.size())
      fail("{} orders, but an earlier node had {}", orders.size(), order_count_);
    order_count_ = orders.size();
    table_ = Table::free_blocks;
  }

  void pageblock_header(const std::vector<std::string_view>& types, Table table) {
    if (types.empty()) fail("no migrate types in the pageblock table header");
    std::vector<std::string> names(types.begin(), types.end());
    if (!info_.migrate_types.empty() && info_.migrate_types != names)
      fail("migrate types {} differ from the earlier header {}", fmt::join(names, " "),
           fmt::join(info_.migrate_types, " "));
    info_.migrate_types = std::move(names);
    table_ = table;
  }

  // "Node 0, zone DMA32[, type Movable] COUNT..." with the node's comma attached.
  void row(std::vector<std::string_view> words) {
    bool typed = table_ == Table::free_blocks;
    std::size_t first_count = typed ? 6 : 4;
    std::optional<std::int64_t> node;
    if (words.size() > first_count && words[1].ends_with(',') && words[2] == "zone" &&
        (!typed || (words[3].ends_with(',') && words[4] == "type"))) {
      node = text::to_count(words[1].substr(0, words[1].size() - 1));
      if (node && *node > std::numeric_limits<int>::max()) node.reset();
    }
    if (table_ == Table::none) fail("zone row before any table header: '{}'", line_->content);
    if (!node) fail("expected 'Node N, zone NAME{} COUNT...', got '{}'", typed ? ", type TYPE" : "", line_->content);
    if (typed) words[3].remove_suffix(1);
    std::string zone(words[3]);
    std::span<const std::string_view> counts(words.begin() + static_cast<std::ptrdiff_t>(first_count), words.end());

    if (typed) {
      if (counts.size() != order_count_)
        fail("{} free counts, but the header lists {} orders", counts.size(), order_count_);
      MigrateTypeFreeBlocks free_row{static_cast<int>(*node), std::move(zone), std::string(words[5]), {}, false};
      for (std::string_view count : counts) {
        if (count.starts_with('>')) {
          free_row.counts_capped = true;
          count.remove_prefix(1);
        }
        free_row.free_blocks_per_order.push_back(parse_count(count));
      }
      info_.free_blocks.push_back(std::move(free_row));
      return;
    }

    if (counts.size() != info_.migrate_types.size())
      fail("{} pageblock counts, but the header lists {} migrate types", counts.size(), info_.migrate_types.size());
    ZonePageblocks blocks{static_cast<int>(*node), std::move(zone), {}};
    for (std::size_t i = 0; i < counts.size(); ++i)
      blocks.pageblocks_per_migrate_type[info_.migrate_types[i]] = parse_count(counts[i]);
    (table_ == Table::pageblocks ? info_.pageblocks : info_.mixed_pageblocks).push_back(std::move(blocks));
  }

  std::int64_t parse_count(std::string_view token) const {
    auto count = text::to_count(token);
    if (!count) fail("expected a count, got '{}'", token);
    return *count;
  }

  std::string_view source_;
  const text::Line* line_ = nullptr;
  PageTypeInfo info_;
  Table table_ = Table::none;
  std::size_t order_count_ = 0;
  bool have_block_order_ = false;
  bool have_pages_per_block_ = false;
};

}  // namespace

PageTypeInfo parse_pagetypeinfo(std::string_view text, std::string_view source) {
  Parser parser(source);
  for (const auto& line : text::lines(text)) parser.feed(line);
  return parser.finish();
}

PageTypeInfo read_pagetypeinfo(const SystemRoot& root) {
  return parse_pagetypeinfo(root.read("/proc/pagetypeinfo"), "/proc/pagetypeinfo");
}

}  // namespace memharness::system::procfs

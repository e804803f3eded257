// editor.cpp — document state, snapshot undo/redo with gesture coalescing, kernel operations.
#include "viewer/editor.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/errors.hpp"
#include "core/scene_io.hpp"

namespace gm::viewer {

namespace {
// Undo history is bounded by step count and by the kernels it holds (a 200k-kernel scene is ~20 MB
// per snapshot): the oldest steps go first.
constexpr std::size_t kMaxUndoKernels = 4'000'000;
}  // namespace

Editor::Editor(Scene scene, std::string path) : scene_(std::move(scene)), path_(std::move(path)) {
  selected_ = scene_.kernels.empty() ? -1 : 0;
}

const Kernel* Editor::selected_kernel() const {
  if (selected_ < 0 || selected_ >= int(scene_.kernels.size())) return nullptr;
  return &scene_.kernels[std::size_t(selected_)];
}

void Editor::load(Scene scene, std::string path) {
  scene_ = std::move(scene);
  path_ = std::move(path);
  selected_ = scene_.kernels.empty() ? -1 : 0;
  undo_.clear();
  redo_.clear();
  state_id_ = next_id_++;
  saved_id_ = state_id_;
  gesture_pushed_ = false;
}

void Editor::load_recovered(Scene scene, std::string path) {
  load(std::move(scene), std::move(path));
  saved_id_ = kNeverSaved;  // no state id ever equals it: dirty until saved
}

void Editor::mark_saved(std::string path) {
  path_ = std::move(path);
  saved_id_ = state_id_;
}

std::string Editor::commit(Scene next, int next_selected) {
  int n = int(next.kernels.size());
  if (next_selected < 0 || next_selected >= n) next_selected = -1;
  if (next == scene_) {
    selected_ = next_selected;
    return {};
  }
  try {
    validate(next);
  } catch (const InputError& e) {
    return e.what();
  }
  if (!gesture_ || !gesture_pushed_) {
    undo_.push_back({std::move(scene_), selected_, state_id_});
    redo_.clear();
    gesture_pushed_ = gesture_;
    std::size_t kernels = 0;
    for (const auto& s : undo_) kernels += s.scene.kernels.size();
    while (undo_.size() > 1 && (undo_.size() > kMaxUndo || kernels > kMaxUndoKernels)) {
      kernels -= undo_.front().scene.kernels.size();
      undo_.erase(undo_.begin());
    }
  }
  scene_ = std::move(next);
  selected_ = next_selected;
  state_id_ = next_id_++;
  return {};
}

std::string Editor::apply(const Scene& scene) {
  return commit(scene, selected_);
}

std::string Editor::apply_view(const View& view) {
  Scene next = scene_;
  next.view = view;
  return commit(std::move(next), selected_);
}

void Editor::begin_gesture() {
  if (gesture_) return;
  gesture_ = true;
  gesture_pushed_ = false;
}

void Editor::end_gesture() {
  gesture_ = false;
  gesture_pushed_ = false;
}

bool Editor::undo() {
  if (undo_.empty()) return false;
  redo_.push_back({std::move(scene_), selected_, state_id_});
  Snapshot s = std::move(undo_.back());
  undo_.pop_back();
  scene_ = std::move(s.scene);
  selected_ = s.selected;
  state_id_ = s.id;
  gesture_pushed_ = false;  // a change after an undo inside a gesture is a new step
  return true;
}

bool Editor::redo() {
  if (redo_.empty()) return false;
  undo_.push_back({std::move(scene_), selected_, state_id_});
  Snapshot s = std::move(redo_.back());
  redo_.pop_back();
  scene_ = std::move(s.scene);
  selected_ = s.selected;
  state_id_ = s.id;
  gesture_pushed_ = false;
  return true;
}

void Editor::select(int index) {
  selected_ = (index >= 0 && index < int(scene_.kernels.size())) ? index : -1;
}

int Editor::add_kernel(const Kernel& k) {
  Scene next = scene_;
  next.kernels.push_back(k);
  int index = int(next.kernels.size()) - 1;
  if (!commit(std::move(next), index).empty()) return -1;
  return index;
}

int Editor::add_default_kernel(std::optional<Vec2> at) {
  auto [x0, x1] = scene_.x_range();
  auto [y0, y1] = scene_.y_range();
  Kernel k;
  k.cx = at ? at->x : 0.5 * (x0 + x1);
  k.cy = at ? at->y : 0.5 * (y0 + y1);
  double ex = std::abs(x1 - x0), ey = std::abs(y1 - y0);
  k.sx = ex > 0 ? ex / 10 : 1.0;
  k.sy = ey > 0 ? ey / 10 : 1.0;
  if (const Kernel* sel = selected_kernel()) k.weight = sel->weight;
  return add_kernel(k);
}

int Editor::duplicate(int index) {
  if (index < 0 || index >= int(scene_.kernels.size())) return -1;
  Kernel k = scene_.kernels[std::size_t(index)];
  k.cx += 0.5 * kernel_axes(k).sx;
  k.visible = true;
  return add_kernel(k);
}

bool Editor::remove(int index) {
  int n = int(scene_.kernels.size());
  if (index < 0 || index >= n) return false;
  Scene next = scene_;
  next.kernels.erase(next.kernels.begin() + index);
  int sel = selected_;
  if (sel == index) {
    sel = std::min(index, n - 2);
  } else if (sel > index) {
    --sel;
  }
  return commit(std::move(next), sel).empty();
}

bool Editor::set_kernel(int index, const Kernel& k) {
  if (index < 0 || index >= int(scene_.kernels.size())) return false;
  Scene next = scene_;
  next.kernels[std::size_t(index)] = k;
  return commit(std::move(next), selected_).empty();
}

bool Editor::set_visible(int index, bool visible) {
  if (index < 0 || index >= int(scene_.kernels.size())) return false;
  Kernel k = scene_.kernels[std::size_t(index)];
  k.visible = visible;
  return set_kernel(index, k);
}

bool Editor::move_kernel(int index, double cx, double cy) {
  if (index < 0 || index >= int(scene_.kernels.size())) return false;
  if (!std::isfinite(cx) || !std::isfinite(cy)) return false;
  Kernel k = scene_.kernels[std::size_t(index)];
  k.cx = cx, k.cy = cy;
  return set_kernel(index, k);
}

bool Editor::drag_handle(int index, Handle h, Vec2 domain_point) {
  if (index < 0 || index >= int(scene_.kernels.size())) return false;
  return set_kernel(index, kernel_with_handle(scene_.kernels[std::size_t(index)], h, domain_point));
}

}  // namespace gm::viewer

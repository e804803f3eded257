// editor.hpp — the viewer's document: the scene being edited, the selected kernel, the file it came
// from, the dirty mark, and snapshot-based undo/redo. Every edit the panel or the canvas makes goes
// through here (the same functions the tests call), so the ImGui code holds no editing logic.
//
// Undo granularity: each call of an edit function is one step, except inside a *gesture*
// (begin_gesture() .. end_gesture(), e.g. a mouse drag or an active ImGui drag widget), where all
// changes coalesce into the one step that restores the state from before the gesture.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/scene.hpp"
#include "viewer/kernel_shape.hpp"
#include "viewer/vec2.hpp"

namespace gm::viewer {

class Editor {
 public:
  explicit Editor(Scene scene = seed_scene(), std::string path = {});

  const Scene& scene() const { return scene_; }
  int selected() const { return selected_; }  // -1: none
  const Kernel* selected_kernel() const;
  const std::string& path() const { return path_; }  // "" = untitled
  bool dirty() const { return state_id_ != saved_id_; }
  // Identifies the current state: changes with every edit, comes back with undo/redo.
  std::uint64_t revision() const { return state_id_; }

  // Replace the whole document (open a file): clears the history, not dirty.
  void load(Scene scene, std::string path);
  // Replace the whole document with recovered work (a recovery file): like load(), but the
  // document starts modified — it has never been saved to `path`.
  void load_recovered(Scene scene, std::string path);
  // The document was written to `path`: the current state becomes the saved one.
  void mark_saved(std::string path);

  // Generic edit: make `scene` the current scene. Returns "" on success (also when nothing
  // changed), else the validation error (gm::validate's one-line message) and nothing changes.
  std::string apply(const Scene& scene);
  // Edit only the view settings (colormap, range, scale, contours, outlines): same undo rules.
  std::string apply_view(const View& view);

  void begin_gesture();
  void end_gesture();
  bool in_gesture() const { return gesture_; }

  bool can_undo() const { return !undo_.empty(); }
  bool can_redo() const { return !redo_.empty(); }
  bool undo();
  bool redo();
  std::size_t undo_depth() const { return undo_.size(); }
  std::size_t redo_depth() const { return redo_.size(); }

  // Selection is not an undo step (but undo restores the selection of the state it returns to).
  void select(int index);  // out of range -> -1

  // Kernel operations. Each returns false (and changes nothing) when the index is invalid.
  int add_kernel(const Kernel& k);  // appends, selects it, returns its index
  // At `at` (domain units; default the domain's centre), sigma a tenth of the domain extent,
  // the selected kernel's weight (else 1).
  int add_default_kernel(std::optional<Vec2> at = std::nullopt);
  int duplicate(int index);  // copy shifted by half a sigma in x, selected; -1 if invalid
  bool remove(int index);    // selection moves to the neighbour
  bool set_visible(int index, bool visible);
  bool move_kernel(int index, double cx, double cy);
  bool drag_handle(int index, Handle h, Vec2 domain_point);  // see kernel_with_handle
  bool set_kernel(int index, const Kernel& k);

 private:
  struct Snapshot {
    Scene scene;
    int selected = -1;
    std::uint64_t id = 0;
  };
  std::string commit(Scene next, int next_selected);

  Scene scene_;
  int selected_ = -1;
  std::string path_;
  std::vector<Snapshot> undo_, redo_;
  std::uint64_t state_id_ = 0, saved_id_ = 0, next_id_ = 1;
  bool gesture_ = false;
  bool gesture_pushed_ = false;  // the gesture already pushed its undo step
  static constexpr std::size_t kMaxUndo = 256;
  static constexpr std::uint64_t kNeverSaved = ~std::uint64_t(0);
};

}  // namespace gm::viewer

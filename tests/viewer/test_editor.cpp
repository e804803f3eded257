// test_editor.cpp — the viewer's document: add / duplicate / delete / hide / undo / redo round
// trips, gesture coalescing, dirty mark, validation of edits. No window needed.
#include <doctest/doctest.h>

#include "core/scene_io.hpp"
#include "viewer/editor.hpp"

using gm::Kernel;
using gm::Scene;
using gm::viewer::Editor;
using gm::viewer::Handle;

TEST_CASE("editor: starts on the seed scene, clean, first kernel selected") {
  Editor ed;
  CHECK(ed.scene() == gm::seed_scene());
  CHECK_FALSE(ed.dirty());
  CHECK(ed.selected() == 0);
  CHECK_FALSE(ed.can_undo());
  CHECK_FALSE(ed.can_redo());
}

TEST_CASE("editor: add / duplicate / delete round trip through undo and redo") {
  Editor ed;
  const Scene s0 = ed.scene();
  int a = ed.add_default_kernel();
  CHECK(a == 2);
  CHECK(ed.selected() == 2);
  CHECK(ed.scene().kernels.size() == 3);
  const auto [x0, x1] = s0.x_range();
  CHECK(ed.scene().kernels[2].cx == doctest::Approx(0.5 * (x0 + x1)));
  CHECK(ed.dirty());
  const Scene s1 = ed.scene();

  int d = ed.duplicate(0);
  CHECK(d == 3);
  CHECK(ed.scene().kernels[3].cy == s0.kernels[0].cy);
  CHECK(ed.scene().kernels[3].cx == doctest::Approx(s0.kernels[0].cx + 0.5 * s0.kernels[0].sx));
  const Scene s2 = ed.scene();

  CHECK(ed.remove(1));
  CHECK(ed.scene().kernels.size() == 3);
  CHECK(ed.scene().kernels[0] == s0.kernels[0]);
  const Scene s3 = ed.scene();
  CHECK(ed.undo_depth() == 3);

  CHECK(ed.undo());
  CHECK(ed.scene() == s2);
  CHECK(ed.selected() == 3);  // the selection of that state comes back
  CHECK(ed.undo());
  CHECK(ed.scene() == s1);
  CHECK(ed.undo());
  CHECK(ed.scene() == s0);
  CHECK_FALSE(ed.dirty());  // back at the loaded state
  CHECK_FALSE(ed.undo());
  CHECK(ed.redo_depth() == 3);

  CHECK(ed.redo());
  CHECK(ed.redo());
  CHECK(ed.redo());
  CHECK(ed.scene() == s3);
  CHECK_FALSE(ed.redo());
  CHECK(ed.dirty());

  // A new edit after an undo drops the redo branch.
  CHECK(ed.undo());
  CHECK(ed.set_visible(0, false));
  CHECK_FALSE(ed.can_redo());
  CHECK_FALSE(ed.scene().kernels[0].visible);
}

TEST_CASE("editor: delete moves the selection sensibly, invalid indices change nothing") {
  Editor ed;
  ed.select(1);
  CHECK(ed.remove(1));
  CHECK(ed.selected() == 0);
  CHECK(ed.remove(0));
  CHECK(ed.selected() == -1);
  CHECK(ed.scene().kernels.empty());
  CHECK_FALSE(ed.remove(0));
  CHECK_FALSE(ed.move_kernel(0, 1, 2));
  CHECK(ed.duplicate(5) == -1);
  CHECK(ed.undo_depth() == 2);
  ed.select(7);
  CHECK(ed.selected() == -1);
}

TEST_CASE("editor: a gesture (drag) coalesces into one undo step") {
  Editor ed;
  const Scene s0 = ed.scene();
  ed.begin_gesture();
  for (int i = 1; i <= 20; ++i) CHECK(ed.move_kernel(1, 335 + i, 215 - i));
  ed.end_gesture();
  CHECK(ed.undo_depth() == 1);
  CHECK(ed.scene().kernels[1].cx == 355);
  CHECK(ed.scene().kernels[1].cy == 195);
  ed.begin_gesture();
  CHECK(ed.drag_handle(0, Handle::AxisX, {320 + 60, 240}));
  CHECK(ed.drag_handle(0, Handle::AxisX, {320 + 50, 240}));
  ed.end_gesture();
  CHECK(ed.undo_depth() == 2);
  CHECK(ed.scene().kernels[0].sx == doctest::Approx(50).epsilon(1e-12));
  CHECK(ed.undo());
  CHECK(ed.undo());
  CHECK(ed.scene() == s0);
  // A gesture that changes nothing adds no step.
  ed.begin_gesture();
  CHECK(ed.move_kernel(0, s0.kernels[0].cx, s0.kernels[0].cy));
  ed.end_gesture();
  CHECK(ed.undo_depth() == 0);
}

TEST_CASE("editor: invalid edits are refused with gm::validate's message") {
  Editor ed;
  Scene bad = ed.scene();
  bad.kernels[0].sx = -2;
  std::string err = ed.apply(bad);
  CHECK_FALSE(err.empty());
  CHECK(err.find("kernels[0]") != std::string::npos);
  CHECK(ed.scene() == gm::seed_scene());
  CHECK_FALSE(ed.can_undo());
  Kernel k = ed.scene().kernels[1];
  k.use_covariance = true;
  k.cov_xx = 1, k.cov_xy = 2, k.cov_yy = 1;  // not positive definite
  CHECK_FALSE(ed.set_kernel(1, k));
}

TEST_CASE("editor: view edits, dirty mark, save and load") {
  Editor ed;
  gm::View v = ed.scene().view;
  v.colormap = gm::Colormap::Magma;
  CHECK(ed.apply_view(v).empty());
  CHECK(ed.dirty());
  ed.mark_saved("/tmp/x.json");
  CHECK_FALSE(ed.dirty());
  CHECK(ed.path() == "/tmp/x.json");
  CHECK(ed.undo());
  CHECK(ed.dirty());  // the saved state is the later one
  CHECK(ed.redo());
  CHECK_FALSE(ed.dirty());
  ed.load(gm::seed_scene(), "other.json");
  CHECK_FALSE(ed.dirty());
  CHECK_FALSE(ed.can_undo());
  CHECK(ed.path() == "other.json");
}

TEST_CASE("editor: the edited scene survives a JSON round trip") {
  Editor ed;
  ed.add_default_kernel();
  ed.drag_handle(2, Handle::AxisY, {320 + 10, 240 + 40});
  Kernel k = ed.scene().kernels[0];
  k.use_covariance = true;
  k.cov_xx = 100, k.cov_xy = 30, k.cov_yy = 50;
  CHECK(ed.set_kernel(0, k));
  Scene back = gm::scene_from_json_text(gm::scene_to_json_text(ed.scene()));
  REQUIRE(back.kernels.size() == 3);
  CHECK(back.kernels[0].cov_xy == 30);
  CHECK(back.kernels[2].angle_deg == doctest::Approx(ed.scene().kernels[2].angle_deg));
}

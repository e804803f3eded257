// app.hpp — the viewer application object (private to src/viewer): window, renderer, the document
// (Editor), the canvas transform, and the per-frame UI state. Split over app.cpp (window, loop,
// rendering, shots, files), ui_panel.cpp (the ImGui panel) and ui_canvas.cpp (canvas drawing and
// mouse interaction). All editing goes through Editor; all geometry through ViewTransform and
// kernel_shape; colorbar ticks through colorbar; hover readout through probe; autosave and the
// recovery offer through recovery.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/colormap.hpp"
#include "core/field.hpp"
#include "gl/mixture_renderer.hpp"
#include "viewer/contour.hpp"
#include "viewer/display_texture.hpp"
#include "viewer/editor.hpp"
#include "viewer/field_scheduler.hpp"
#include "viewer/file_flow.hpp"
#include "viewer/image_blit.hpp"
#include "viewer/line_batch.hpp"
#include "viewer/probe.hpp"
#include "viewer/recovery.hpp"
#include "viewer/render_plan.hpp"
#include "viewer/view_transform.hpp"
#include "viewer/viewer.hpp"

struct GLFWwindow;
struct ImFont;

namespace gm::viewer {

class App {
 public:
  App(const ViewerOptions& options, GLFWwindow* window, float ui_scale);
  int run();

  // GLFW callbacks land here (through the window user pointer).
  void on_event() { event_seen_ = true; }
  void on_key(int key, int action, int mods);
  void on_drop(int count, const char** paths);
  void on_close_request();

 private:
  // --- app.cpp
  void frame();
  void update_field(bool force_full);
  void render_direct(const Scene& target, int factor);
  int display_factor() const;  // preview factor matching the screen's resolution (drags)
  void advance_job(double budget_ms);
  void animate_step();  // --animate: kernel 0 moves a little (one scene change per frame)
  void print_stats() const;
  void refresh_colors();
  Image current_picture();  // the colormapped field at scene resolution (after update_field(true))
  void handle_shortcuts();
  void take_screenshot();  // interactive: next free name in the shot folder, toast
  void capture_window(const std::string& path);
  void after_file_action();  // shows the flow's notice, refits after a load, quits when asked
  void toast(std::string text, bool error = false);
  void draw_toast();
  void draw_modals();
  void sync_title();
  void edit(const Scene& next);  // apply a panel/canvas edit, report refusals
  void end_gestures_if_idle();
  static double clock_s();  // seconds, GLFW's clock
  // Recovery (app.cpp): find stale files at startup, autosave after edits, clean up on exit.
  void recovery_startup();
  void autosave_tick();
  void recovery_on_clean_exit();
  void recover(std::size_t index);           // load stale_[index] as a modified document
  void discard_recovery(std::size_t index);  // delete stale_[index]

  // --- ui_panel.cpp
  void draw_panel();
  void panel_file();
  void panel_scene();
  void panel_kernels();
  void panel_selected();
  void panel_view();
  void panel_shots();
  void panel_stats();
  void panel_help();
  void draw_recovery_modal();
  void colormap_strip(Colormap c, float width, float height);

  // --- ui_canvas.cpp
  void layout_canvas();
  void draw_canvas();
  void canvas_input();
  void draw_outlines();
  void draw_contours();
  void draw_colorbar();
  void draw_probe();

  ViewerOptions opts_;
  GLFWwindow* window_;
  float ui_scale_ = 1;
  gl::MixtureRenderer renderer_;
  FieldScheduler sched_;  // backend, whole fields, band jobs
  Editor editor_;
  FileFlow flow_{editor_};  // Open / Save / Save As / New / Quit decisions (file_flow.hpp)
  std::uint64_t flow_loads_ = 0;
  ViewTransform vt_;

  // Rendered state: the scene the field texture holds (maybe a preview), its read-back field,
  // the view + range the colour texture holds.
  std::optional<Scene> field_scene_;
  Field field_;
  bool field_is_preview_ = false;
  std::optional<View> color_view_;
  ValueRange color_range_;
  ValueRange range_;  // the range of the current view over the current field
  std::optional<MinMax<float>> field_extremes_;  // the field's finite min / max, if any
  MinMax<float> field_minmax_;                   // ... for the panel (0, 0 when none)
  void note_extremes();                          // after field_ changed
  int preview_factor_ = 1;
  std::string render_error_;        // the renderer refused the scene (shown in the panel)
  bool field_failed_ = false;       // ... for field_scene_: not retried until the scene changes
  std::uint64_t field_serial_ = 0;  // counts field passes (keys the contour cache)

  // Contour overlay cache: segments in domain units for the current field, levels and range.
  std::vector<Segment> contours_;
  std::uint64_t contour_serial_ = 0;
  int contour_count_ = 0;
  ValueRange contour_range_;
  Scale contour_scale_ = Scale::Linear;
  void update_contours();
  double full_field_ms_ = 0;  // wall time of the last full-resolution field (+ readback)
  double last_field_ms_ = 0;  // ... of the last field computed at once, preview or not

  // What the canvas shows: the renderer's colour texture (a full field rendered in one pass), or
  // our own textures colorized on the CPU: a coarse preview (while dragging, or while a slow
  // full field is refined band by band under it), or the full field assembled from bands.
  enum class Display { Renderer, Preview, Own };
  Display display_ = Display::Renderer;
  DisplayTexture preview_tex_, own_tex_;
  ImageBlit image_blit_;          // draws the shown texture into the canvas
  LineBatch line_batch_;          // plain outlines while dragging
  std::optional<View> tex_view_;  // view + range the shown own/preview texture was colorized with
  ValueRange tex_range_;
  double job_ms_this_frame_ = 0;  // band work done in the current frame
  double frame_other_ms_ = 0;     // the last frame's time besides band work
  double gpu_ms_ = -1;
  double frame_ms_ = 0;
  int frame_count_ = 0;
  double field_ms_this_frame_ = 0;  // field work (evaluation, upload / readback, colormap)
  double eval_ms_this_frame_ = 0;   // ... of which the whole-field or preview evaluation
  // --stats: ms per frame (frame, ui, draw) and per frame that computed a field (field, eval).
  struct Stats {
    std::vector<double> frame, ui, draw, field, eval;
    int preview_frames = 0;  // frames that showed a preview
  };
  Stats stats_;
  double animate_phase_ = 0;

  // Canvas layout (ImGui screen coordinates).
  float panel_width_ = 380;
  Rect canvas_;               // the area the image is letterboxed into
  Rect colorbar_;             // the bar itself
  std::string outline_note_;  // outlines thinned or hidden, and why (outline_plan.hpp)

  // Interaction.
  enum class Drag { None, Pan, Kernel };
  Drag drag_ = Drag::None;
  int drag_kernel_ = -1;
  Handle drag_handle_ = Handle::Center;
  Kernel drag_start_kernel_;
  Vec2 drag_grab_offset_;      // kernel centre minus the grabbed point, domain units
  bool panel_active_ = false;  // an ImGui widget is being dragged / typed into this frame

  // Probe cache: recomputed when the hovered pixel or the document revision changes.
  bool hover_ = false;
  Vec2 hover_domain_;
  ProbeResult probe_;
  int probe_col_ = -1, probe_row_ = -1;
  std::uint64_t probe_revision_ = 0;
  bool probe_field_full_ = false;

  // Files and shots.
  char path_buf_[1024] = {};
  char shot_dir_buf_[1024] = ".";
  bool shot_npy_ = false;
  bool shot_window_ = false;
  bool shot_requested_ = false;
  std::string last_shot_;
  std::string pending_window_shot_;
  std::string edit_error_;
  std::string toast_text_;
  bool toast_error_ = false;
  double toast_until_ = 0;
  std::string title_;

  // No lost work: this process's recovery file, the schedule that writes it, the stale files of
  // ended viewers on offer, and the file the current document was recovered from (deleted once
  // our own file holds the work).
  std::string recovery_dir_;
  std::string recovery_file_;
  ProcessId self_;
  bool autosave_on_ = false;
  bool recovery_on_disk_ = false;
  AutosaveSchedule autosave_;
  std::string autosave_error_;
  std::vector<Recovery> stale_;
  bool show_recovery_ = false;
  int recovery_choice_ = 0;
  std::string adopted_;

  bool quit_ = false;

  bool event_seen_ = true;
  // Key presses queued from the GLFW callback: ImGui 1.86 samples key *state* once per frame, so a
  // press and release between two frames would be lost; shortcuts are events.
  struct KeyPress {
    int key, mods;
    bool repeat;
  };
  std::vector<KeyPress> keys_;
  ImFont* mono_font_ = nullptr;
  bool unicode_ = false;  // the UI font has the Greek sigma etc.
};

}  // namespace gm::viewer

// app.cpp — the viewer's window, main loop, rendering schedule, screenshots and file actions.
//
// Window: GLFW, GL 4.5 core, HiDPI-aware (ImGui works in window coordinates; the framebuffer may be
// larger; the UI font and sizes follow the monitor's content scale). The loop waits for events when
// idle (glfwWaitEventsTimeout) and draws a few frames after each event so ImGui settles; the field
// is rendered only when something it depends on changed (render_plan.hpp), the colormap pass only
// when the view or the range changed. Caveat: ImGui's OpenGL3 backend loads GL on its own
// (imgui_impl_opengl3_loader); we load glad for our few calls; both point at the same context.
//
// No lost work: after edits the document is autosaved to this process's recovery file (debounced by
// AutosaveSchedule, written atomically); the file goes when the document is saved or clean, and on
// a clean exit. A crash, kill -9 or SIGTERM leaves it for the next start to offer back. Load, save,
// screenshot and autosave failures are shown in the panel / a toast; the viewer keeps running.
#include "viewer/app.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>

#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/scene_io.hpp"
#include "gl/keep_loaded.hpp"
#include "viewer/files.hpp"
#include "viewer/layout.hpp"
#include "viewer/render_plan.hpp"

namespace gm::viewer {

namespace {

// During a drag, a field expected to take at most this long (ms, evaluation) is computed at full
// resolution on every step: on two cores a 1920x1080 field of 64 kernels takes 3 to 5.
constexpr double kDragFullMs = 25.0;

constexpr ImU32 kCanvasBackground = IM_COL32(28, 28, 33, 255);  // around the letterboxed image

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void* load_gl(const char* name) {
  return reinterpret_cast<void*>(glfwGetProcAddress(name));
}

std::string g_glfw_error;  // the last GLFW error, for the one-line message
void glfw_error_callback(int, const char* description) {
  g_glfw_error = description ? description : "";
}

App* app_of(GLFWwindow* w) {
  return static_cast<App*>(glfwGetWindowUserPointer(w));
}

double now_s() {
  return glfwGetTime();
}

// Clears r (ImGui coordinates) of the bound framebuffer, fb_h pixels tall, to the colour c as
// ImGui would draw it (8 bits a channel): the pixels whose centres lie in r.
void clear_rect(const Rect& r, ImVec4 c, ImVec2 fb_scale, int fb_h) {
  const ImU32 u = ImGui::ColorConvertFloat4ToU32(c);
  const int x0 = int(std::lround(r.x * fb_scale.x)),
            x1 = int(std::lround((r.x + r.w) * fb_scale.x));
  const int y0 = int(std::lround(r.y * fb_scale.y)),
            y1 = int(std::lround((r.y + r.h) * fb_scale.y));
  if (x1 <= x0 || y1 <= y0) return;
  glEnable(GL_SCISSOR_TEST);
  glScissor(x0, fb_h - y1, x1 - x0, y1 - y0);
  glClearColor(float((u >> IM_COL32_R_SHIFT) & 255) / 255.0f,
               float((u >> IM_COL32_G_SHIFT) & 255) / 255.0f,
               float((u >> IM_COL32_B_SHIFT) & 255) / 255.0f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
}

// ImGui + GLFW lifetime, released in reverse order even when the App throws.
struct Session {
  GLFWwindow* window = nullptr;
  bool imgui = false, glfw_backend = false, gl_backend = false;
  ~Session() {
    if (gl_backend) ImGui_ImplOpenGL3_Shutdown();
    if (glfw_backend) ImGui_ImplGlfw_Shutdown();
    if (imgui) ImGui::DestroyContext();
    if (window) glfwDestroyWindow(window);
    glfwTerminate();
  }
};

// Fonts: DejaVu Sans when the system has it (Debian's fonts-dejavu-core), else ImGui's built-in
// font. The glyph ranges add the Greek sigma, the multiplication sign and a few dashes.
ImFont* load_fonts(float scale, bool& unicode) {
  ImGuiIO& io = ImGui::GetIO();
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2012, 0x2026,
                                   0x2190, 0x2193, 0x2212, 0x2212, 0};
  const char* sans[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                        "/usr/share/fonts/TTF/DejaVuSans.ttf"};
  const char* mono[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
                        "/usr/share/fonts/TTF/DejaVuSansMono.ttf"};
  unicode = false;
  for (const char* f : sans) {
    if (std::filesystem::exists(f) &&
        io.Fonts->AddFontFromFileTTF(f, 15.0f * scale, nullptr, ranges)) {
      unicode = true;
      break;
    }
  }
  if (!unicode) {
    ImFontConfig cfg;
    cfg.SizePixels = 13.0f * scale;
    io.Fonts->AddFontDefault(&cfg);
  }
  for (const char* f : mono)
    if (std::filesystem::exists(f))
      if (ImFont* m = io.Fonts->AddFontFromFileTTF(f, 14.0f * scale, nullptr, ranges)) return m;
  return nullptr;
}

void set_style(float scale) {
  ImGui::StyleColorsDark();
  ImGuiStyle& st = ImGui::GetStyle();
  st.WindowRounding = 0;
  st.FrameRounding = 3;
  st.GrabRounding = 3;
  st.WindowBorderSize = 0;
  st.DisabledAlpha = 0.38f;
  st.ItemSpacing = ImVec2(8, 4);
  st.FramePadding = ImVec2(6, 3);
  st.Colors[ImGuiCol_WindowBg] = ImVec4(0.10f, 0.10f, 0.12f, 1.0f);
  st.ScaleAllSizes(scale);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Entry point.

int run_viewer(const ViewerOptions& options) {
  glfwSetErrorCallback(glfw_error_callback);
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  bool no_display = (!display || !*display) && (!wayland || !*wayland);
  if (no_display || !glfwInit()) {
    // Without a window there is nowhere to show a scene's load error: report it as `render` does.
    if (!options.load_error.empty()) throw InputError(options.load_error);
    throw GlError(no_display || g_glfw_error.find("DISPLAY") != std::string::npos ||
                          g_glfw_error.find("display") != std::string::npos
                      ? "cannot open a window: no display (set DISPLAY, run under xvfb-run, or use "
                        "`gaussmap render`)"
                      : "cannot open a window: " + g_glfw_error);
  }
  Session session;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 4);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 5);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_TRUE);
  std::string title = window_title(options.scene_path, false);
  // The window fits the primary monitor's work area (the screen less task bars), in screen
  // coordinates; GLFW_SCALE_TO_MONITOR then multiplies the size by the content scale on X11.
  int wa_x = 0, wa_y = 0, wa_w = 0, wa_h = 0;
  float mon_sx = 1, mon_sy = 1;
  if (GLFWmonitor* mon = glfwGetPrimaryMonitor()) {
    glfwGetMonitorWorkarea(mon, &wa_x, &wa_y, &wa_w, &wa_h);
    glfwGetMonitorContentScale(mon, &mon_sx, &mon_sy);
  }
  const WindowSize win = initial_window_size(options.window_width, options.window_height, wa_w,
                                             wa_h, std::max(1.0f, std::max(mon_sx, mon_sy)));
  session.window = glfwCreateWindow(win.width, win.height, title.c_str(), nullptr, nullptr);
  // GLX has loaded the driver; keep it mapped past glfwTerminate (src/gl/keep_loaded.cpp).
  gm::gl::keep_loaded_libraries();
  if (!session.window)
    throw GlError("cannot open a window: no GL 4.5 core context (" + g_glfw_error +
                  "); use `gaussmap render` for headless pictures");
  if (wa_w > 0 && wa_h > 0) {
    int ww = 0, wh = 0;
    glfwGetWindowSize(session.window, &ww, &wh);
    glfwSetWindowPos(session.window, wa_x + std::max(0, (wa_w - ww) / 2),
                     wa_y + std::max(0, (wa_h - wh) / 2));
  }
  glfwMakeContextCurrent(session.window);
  glfwSwapInterval(options.frames > 0 ? 0 : 1);
  if (!gladLoadGL(glfwGetProcAddress))
    throw GlError("cannot load GL 4.5 entry points through GLFW");

  float sx = 1, sy = 1;
  glfwGetWindowContentScale(session.window, &sx, &sy);
  float scale = std::clamp(std::max(sx, sy), 1.0f, 4.0f);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  session.imgui = true;
  ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini litter in the working folder
  set_style(scale);

  App app(options, session.window, scale);  // sets the window user pointer and our callbacks
  // Installed after ours: ImGui's GLFW backend chains to the callbacks it finds.
  if (!ImGui_ImplGlfw_InitForOpenGL(session.window, true))
    throw GlError("ImGui GLFW backend failed");
  session.glfw_backend = true;
  if (!ImGui_ImplOpenGL3_Init("#version 410")) throw GlError("ImGui OpenGL3 backend failed");
  session.gl_backend = true;
  return app.run();
}

// ---------------------------------------------------------------------------------------------
// App.

App::App(const ViewerOptions& options, GLFWwindow* window, float ui_scale)
    : opts_(options),
      window_(window),
      ui_scale_(ui_scale),
      renderer_(load_gl),
      sched_(renderer_, choose_backend(options.backend, renderer_.renderer_name())),
      editor_(options.scene, options.scene_path) {
  bool unicode = false;
  mono_font_ = load_fonts(ui_scale_, unicode);
  unicode_ = unicode;
  flow_.field = has_extension(options.scene_path, ".png")
                    ? sibling_path(options.scene_path, ".json")
                    : options.scene_path;
  if (!options.load_error.empty()) flow_.start_failed(options.failed_path, options.load_error);
  glfwSetWindowUserPointer(window_, this);
  auto ev = [](GLFWwindow* w) { app_of(w)->on_event(); };
  glfwSetWindowRefreshCallback(window_, ev);
  glfwSetWindowSizeCallback(window_, [](GLFWwindow* w, int, int) { app_of(w)->on_event(); });
  glfwSetFramebufferSizeCallback(window_, [](GLFWwindow* w, int, int) { app_of(w)->on_event(); });
  glfwSetWindowFocusCallback(window_, [](GLFWwindow* w, int) { app_of(w)->on_event(); });
  glfwSetCursorPosCallback(window_, [](GLFWwindow* w, double, double) { app_of(w)->on_event(); });
  glfwSetCursorEnterCallback(window_, [](GLFWwindow* w, int) { app_of(w)->on_event(); });
  glfwSetMouseButtonCallback(window_, [](GLFWwindow* w, int, int, int) { app_of(w)->on_event(); });
  glfwSetScrollCallback(window_, [](GLFWwindow* w, double, double) { app_of(w)->on_event(); });
  glfwSetKeyCallback(window_, [](GLFWwindow* w, int key, int, int action, int mods) {
    app_of(w)->on_key(key, action, mods);
  });
  glfwSetCharCallback(window_, [](GLFWwindow* w, unsigned) { app_of(w)->on_event(); });
  glfwSetDropCallback(window_,
                      [](GLFWwindow* w, int n, const char** p) { app_of(w)->on_drop(n, p); });
  glfwSetWindowCloseCallback(window_, [](GLFWwindow* w) { app_of(w)->on_close_request(); });
  recovery_startup();
  if (opts_.animate && !editor_.scene().kernels.empty()) editor_.begin_gesture();  // a long drag
}

void App::on_drop(int count, const char** paths) {
  event_seen_ = true;
  if (count < 1 || !paths || !paths[0]) return;
  std::string p = paths[0];
  if (!has_extension(p, ".json") && !has_extension(p, ".png")) {
    toast("drop a scene .json or a gaussmap .png", true);
    return;
  }
  flow_.open(p);
  after_file_action();
}

void App::on_close_request() {
  event_seen_ = true;
  if (opts_.frames > 0) return;
  glfwSetWindowShouldClose(window_, GLFW_FALSE);  // FileFlow decides (asks when modified)
  flow_.quit();
  after_file_action();
}

int App::run() {
  const bool automation = opts_.frames > 0;
  const int target = std::max(opts_.frames, 3);  // ImGui lays auto-sized windows out by frame 2
  int settle = 3;
  while (!quit_) {
    bool busy = settle > 0 || drag_ != Drag::None || panel_active_ || editor_.in_gesture() ||
                sched_.job().has_value();
    if (automation) {
      glfwPollEvents();
    } else if (busy) {
      glfwWaitEventsTimeout(1.0 / 120);
    } else {
      // Idle: sleep until an event, waking only to expire a toast or to autosave.
      double wait = toast_until_ > now_s() ? std::max(0.05, toast_until_ - now_s()) : 5.0;
      if (autosave_on_) wait = std::min(wait, std::max(0.05, autosave_.seconds_until_due(now_s())));
      glfwWaitEventsTimeout(wait);
    }
    if (event_seen_) {
      settle = 3;
      event_seen_ = false;
    } else if (settle > 0) {
      --settle;
    }
    if (automation && frame_count_ == target - 1 && !opts_.window_shot.empty())
      pending_window_shot_ = opts_.window_shot;
    frame();
    ++frame_count_;
    if (automation && frame_count_ >= target) {
      if (opts_.animate && editor_.in_gesture()) editor_.end_gesture();
      if (opts_.stats) print_stats();
      if (!opts_.screenshot.empty() || !opts_.npy.empty()) {
        update_field(true);
        if (!opts_.screenshot.empty())
          write_png(opts_.screenshot, current_picture(), scene_to_json_text(editor_.scene()));
        if (!opts_.npy.empty()) write_npy(opts_.npy, field_);
      }
      break;
    }
    if (glfwWindowShouldClose(window_)) quit_ = true;
  }
  if (!automation) recovery_on_clean_exit();
  // Scripted runs see a scene that failed to load (after the shots, which show the error).
  if (automation && !opts_.load_error.empty()) throw InputError(opts_.load_error);
  return 0;
}

void App::frame() {
  double t0 = now_s();
  if (opts_.animate) animate_step();
  image_blit_.new_frame();
  line_batch_.new_frame();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();

  handle_shortcuts();
  draw_panel();
  panel_active_ = ImGui::IsAnyItemActive();
  layout_canvas();
  canvas_input();
  end_gestures_if_idle();
  const auto tf = Clock::now();
  update_field(false);
  const double update_ms = ms_since(tf);
  if (shot_requested_) {
    shot_requested_ = false;
    take_screenshot();
  }
  draw_canvas();
  draw_toast();
  draw_modals();

  ImGui::Render();
  const double ui_ms = (now_s() - t0) * 1000.0 - update_ms;
  const auto td = Clock::now();
  int fbw = 0, fbh = 0;
  glfwGetFramebufferSize(window_, &fbw, &fbh);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(0, 0, fbw, fbh);
  glDisable(GL_SCISSOR_TEST);
  glClearColor(0.07f, 0.07f, 0.08f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  // The panel's and the canvas's backgrounds are scissored clears, nearly free, where ImGui would
  // draw quads (a blending shader on every fragment of a software GL); neither draws its own.
  const ImGuiIO& io = ImGui::GetIO();
  clear_rect(Rect{0, 0, panel_width_, io.DisplaySize.y},
             ImGui::GetStyle().Colors[ImGuiCol_WindowBg], io.DisplayFramebufferScale, fbh);
  clear_rect(canvas_, ImGui::ColorConvertU32ToFloat4(kCanvasBackground), io.DisplayFramebufferScale,
             fbh);
  glDisable(GL_SCISSOR_TEST);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (!pending_window_shot_.empty()) {
    std::string path = std::move(pending_window_shot_);
    pending_window_shot_.clear();
    capture_window(path);
  }
  glfwSwapBuffers(window_);
  const double draw_ms = ms_since(td);
  sync_title();
  autosave_tick();
  frame_ms_ = (now_s() - t0) * 1000.0;
  frame_other_ms_ = std::max(frame_ms_ - job_ms_this_frame_, 0.0);
  job_ms_this_frame_ = 0;
  if (opts_.stats) {
    stats_.frame.push_back(frame_ms_);
    stats_.ui.push_back(ui_ms);
    stats_.draw.push_back(draw_ms);
    if (field_ms_this_frame_ > 0) stats_.field.push_back(field_ms_this_frame_);
    if (eval_ms_this_frame_ > 0) stats_.eval.push_back(eval_ms_this_frame_);
    if (field_is_preview_) ++stats_.preview_frames;
  }
  field_ms_this_frame_ = 0;
  eval_ms_this_frame_ = 0;
}

void App::animate_step() {
  const Scene& s = editor_.scene();
  if (s.kernels.empty()) return;
  // A small circle around where kernel 0 started, about 1% of the domain per frame.
  const Grid g = Grid::of(s);
  const double step = 0.01 * std::max(std::abs(g.dx) * s.width, std::abs(g.dy) * s.height);
  const double a0 = animate_phase_, a1 = animate_phase_ + 0.3;
  animate_phase_ = a1;
  const Kernel& k = s.kernels.front();
  editor_.move_kernel(0, k.cx + step * (std::cos(a1) - std::cos(a0)),
                      k.cy + step * (std::sin(a1) - std::sin(a0)));
}

namespace {
double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
}  // namespace

// One JSON line on stdout. The first frames (ImGui laying the panel out, the first field) count
// like the others: a median shrugs them off. The phases of a frame (medians over all frames): ui
// (ImGui building the panel and canvas), draw (the GL drawing it and the buffer swap; on a software
// GL the rasterizing happens there), and for the frames that computed a field: field (evaluation,
// upload, colormap) and eval (the evaluation alone, as a whole field or preview; with its readback
// on the GPU backend).
void App::print_stats() const {
  std::printf(
      "{\"frames\": %zu, \"median_frame_ms\": %.3f, \"median_field_ms\": %.3f, \"backend\": "
      "\"%s\", \"field_frames\": %zu, \"preview_frames\": %d, \"width\": %d, \"height\": "
      "%d, \"median_eval_ms\": %.3f, \"median_ui_ms\": %.3f, \"median_draw_ms\": %.3f}\n",
      stats_.frame.size(), median_of(stats_.frame), median_of(stats_.field),
      to_string(sched_.backend()), stats_.field.size(), stats_.preview_frames,
      editor_.scene().width, editor_.scene().height, median_of(stats_.eval), median_of(stats_.ui),
      median_of(stats_.draw));
  std::fflush(stdout);
}

// Render the field when its inputs changed. A pass expected to be quick (< 60 ms, from the measured
// throughput) renders the full field at once. A slow one shows a coarse preview first; once no drag
// is in progress, the full field is refined in bands of rows, ~35 ms of work per frame, so the
// window stays responsive on a software GL. During a drag, every step shows the full field when
// its pass is expected to take under kDragFullMs; a slower field shown at under half a screen
// pixel per image pixel is computed at about the screen's resolution (display_factor), and
// refined when the drag ends. Scripted runs (--frames, except --animate, which schedules like a
// drag) and screenshots always get the full field.
void App::update_field(bool force_full) {
  const Scene& s = editor_.scene();
  const bool gesture = drag_ == Drag::Kernel || editor_.in_gesture();
  // The renderer refused this very scene: keep its message (no colormap pass over a field that was
  // never made, which would only replace the message with a less useful one).
  if (field_failed_ && !force_full && field_scene_ && same_field_inputs(*field_scene_, s)) return;
  const auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t serial0 = field_serial_;
  try {
    if (sched_.job() && !same_field_inputs(sched_.job()->scene, s)) sched_.cancel();
    if (force_full && sched_.job()) advance_job(std::numeric_limits<double>::infinity());
    bool have_full = field_scene_ && !field_is_preview_ && same_field_inputs(*field_scene_, s);
    if (!have_full) {
      double est = sched_.rate().estimate_ms(s);
      // Scripted runs get the full field at once, except --animate, which schedules like a drag.
      const bool scripted = opts_.frames > 0 && !opts_.animate;
      // While dragging, a slow field shown minified is computed at about the screen's resolution.
      const int shown = gesture && est > kDragFullMs ? display_factor() : 1;
      if (force_full || ((scripted || est <= 60.0) && shown <= 1) || s.width < 2 || s.height < 2) {
        sched_.cancel();
        render_direct(s, 1);
      } else {
        int factor = est > 60.0 ? std::clamp(int(std::ceil(std::sqrt(est / 50.0))), 2, 32)
                                : 1;  // a ~50 ms preview
        factor = std::max(factor, shown);
        Scene p = preview_scene(s, factor);
        if (!field_scene_ || !field_is_preview_ || !same_field_inputs(*field_scene_, p))
          render_direct(p, factor);
        if (!gesture && !sched_.job()) {
          sched_.start(s);
          own_tex_.ensure(s.width, s.height);
        }
      }
    }
    // Band work gets about two thirds of the time: at least 35 ms a frame, twice the rest of it.
    if (sched_.job() && !gesture) advance_job(std::max(35.0, 2.0 * frame_other_ms_));
    range_ = range_from_extremes(s.view, field_extremes_);  // no pass over the field
    refresh_colors();
    update_contours();
  } catch (const std::exception& e) {  // GlError (too large for this GL, ...), bad_alloc
    // The renderer's advice names `render` options; say how they apply here.
    std::string msg = advice_for_viewer(e.what());
    if (opts_.frames > 0 || force_full) {
      if (dynamic_cast<const InputError*>(&e)) throw InputError(msg);
      if (dynamic_cast<const GlError*>(&e)) throw GlError(msg);
      throw;
    }
    render_error_ = msg;
    sched_.cancel();
    field_scene_ = s;  // do not retry every frame; the next edit retries
    field_is_preview_ = false;
    field_failed_ = true;
  }
  if (field_serial_ != serial0 || job_ms_this_frame_ > 0)
    field_ms_this_frame_ +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void App::note_extremes() {
  field_extremes_ = finite_min_max(field_);
  field_minmax_ = field_extremes_.value_or(MinMax<float>{});
}

int App::display_factor() const {
  // Image pixels per screen pixel; a preview whose pixels are at most ~1.5 screen pixels wide looks
  // the same as the full field on screen.
  const double per_screen_px = vt_.scale() > 0 ? 1.0 / vt_.scale() : 1.0;
  return per_screen_px >= 1.5 ? std::min(int(per_screen_px + 0.5), 16) : 1;
}

void App::render_direct(const Scene& target, int factor) {
  // The CPU backend's field is shown through our texture: refuse a size this GL cannot hold
  // before computing it (the GPU backend's renderer checks its own targets).
  if (sched_.backend() == FieldBackend::Cpu)
    DisplayTexture::check_size(target.width, target.height);
  const double ms = sched_.render(target, field_);
  eval_ms_this_frame_ += ms;
  last_field_ms_ = ms;
  if (factor == 1) full_field_ms_ = ms;
  gpu_ms_ = sched_.last_gpu_ms();
  field_is_preview_ = factor > 1;
  preview_factor_ = factor;
  field_scene_ = target;
  note_extremes();
  ++field_serial_;
  render_error_.clear();
  field_failed_ = false;
  // The CPU backend's field is colorized on the CPU into our own texture (refresh_colors): an RGBA8
  // upload, where the renderer's path would upload the floats and run its colormap pass on the GL.
  display_ = factor > 1                              ? Display::Preview
             : sched_.backend() == FieldBackend::Cpu ? Display::Own
                                                     : Display::Renderer;
  color_view_.reset();
  tex_view_.reset();
}

void App::advance_job(double budget_ms) {
  const View& view = editor_.scene().view;
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<FieldScheduler::Job> done =
      sched_.advance(budget_ms, [&](const FieldScheduler::Job& j, int r0, int rows) {
        // Show the refined rows right away, in the preview's range until the whole field is known.
        own_tex_.upload_rows(colorize_rows(j.field, view, range_, r0, rows), r0);
      });
  gpu_ms_ = sched_.last_gpu_ms();
  job_ms_this_frame_ +=
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (done) {
    full_field_ms_ = last_field_ms_ = done->ms;
    field_ = std::move(done->field);
    field_scene_ = std::move(done->scene);
    field_is_preview_ = false;
    preview_factor_ = 1;
    note_extremes();
    ++field_serial_;
    display_ = Display::Own;
    tex_view_.reset();
  }
}

void App::refresh_colors() {
  const View& v = editor_.scene().view;
  if (display_ == Display::Renderer) {
    if (!color_view_ || !(*color_view_ == v) || color_range_.vmin != range_.vmin ||
        color_range_.vmax != range_.vmax) {
      renderer_.render_colormap(v, range_);
      color_view_ = v;
      color_range_ = range_;
    }
    return;
  }
  if (tex_view_ && *tex_view_ == v && tex_range_.vmin == range_.vmin &&
      tex_range_.vmax == range_.vmax)
    return;
  if (display_ == Display::Preview) {
    preview_tex_.ensure(field_.width, field_.height);
    preview_tex_.upload_rows(colorize_rows(field_, v, range_, 0, field_.height), 0);
    if (sched_.job() && sched_.job()->next_row > 0)
      own_tex_.upload_rows(colorize_rows(sched_.job()->field, v, range_, 0, sched_.job()->next_row),
                           0);
  } else {
    own_tex_.ensure(field_.width, field_.height);
    own_tex_.upload_rows(colorize_rows(field_, v, range_, 0, field_.height), 0);
  }
  tex_view_ = v;
  tex_range_ = range_;
}

Image App::current_picture() {
  if (display_ == Display::Renderer) return renderer_.read_image();
  return colorize_rows(field_, editor_.scene().view, range_, 0, field_.height);
}

void App::update_contours() {
  const View& v = editor_.scene().view;
  if (v.contour_levels <= 0 || !field_scene_) {
    contours_.clear();
    contour_count_ = 0;
    return;
  }
  if (contour_serial_ == field_serial_ && contour_count_ == v.contour_levels &&
      contour_range_.vmin == range_.vmin && contour_range_.vmax == range_.vmax &&
      contour_scale_ == v.scale)
    return;
  contours_.clear();
  Grid g = Grid::of(*field_scene_);
  double cells = double(field_.width) * double(field_.height);
  int stride = std::max(1, int(std::ceil(std::sqrt(cells / 1.5e6))));
  for (double level : contour_levels(range_, v.scale, v.contour_levels)) {
    auto segs = contour_segments(field_, g, level, stride);
    contours_.insert(contours_.end(), segs.begin(), segs.end());
    if (contours_.size() > 400000) break;  // a noisy field: enough to see
  }
  contour_serial_ = field_serial_;
  contour_count_ = v.contour_levels;
  contour_range_ = range_;
  contour_scale_ = v.scale;
}

void App::on_key(int key, int action, int mods) {
  event_seen_ = true;
  if (action == GLFW_PRESS || action == GLFW_REPEAT)
    keys_.push_back({key, mods, action == GLFW_REPEAT});
}

void App::handle_shortcuts() {
  std::vector<KeyPress> keys;
  keys.swap(keys_);
  ImGuiIO& io = ImGui::GetIO();
  // Typing into a field or a dialog owns the keyboard (F12 still takes a screenshot; the file
  // shortcuts Ctrl+O / Ctrl+S / Ctrl+Q, which no text field uses, work while typing a path).
  bool popup = ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId);
  bool text = io.WantTextInput || popup;
  bool idle = drag_ == Drag::None && !panel_active_;
  for (const KeyPress& k : keys) {
    bool ctrl = (k.mods & GLFW_MOD_CONTROL) != 0, shift = (k.mods & GLFW_MOD_SHIFT) != 0;
    if (k.key == GLFW_KEY_F12 || (ctrl && k.key == GLFW_KEY_P && !text)) {
      if (!k.repeat) shot_requested_ = true;
      continue;
    }
    if (flow_.ask() != FileFlow::Ask::None) {
      // The question's keys: S save first, D discard, R replace, Esc cancel (the buttons say so).
      using A = FileFlow::Answer;
      const bool discard_q = flow_.ask() == FileFlow::Ask::Discard;
      if (k.repeat || ctrl) continue;
      if (k.key == GLFW_KEY_S && discard_q && flow_.can_save_first())
        flow_.answer(A::SaveFirst);
      else if (k.key == GLFW_KEY_D && discard_q)
        flow_.answer(A::Discard);
      else if (k.key == GLFW_KEY_R && !discard_q)
        flow_.answer(A::Replace);
      else if (k.key == GLFW_KEY_ESCAPE)
        flow_.answer(A::Cancel);
      after_file_action();
      continue;
    }
    if (ctrl && !popup && !k.repeat &&
        (k.key == GLFW_KEY_O || k.key == GLFW_KEY_S || k.key == GLFW_KEY_Q ||
         k.key == GLFW_KEY_W)) {
      if (k.key == GLFW_KEY_O)
        flow_.open_field();
      else if (k.key == GLFW_KEY_S)
        shift ? flow_.save_as_field() : flow_.save();
      else if (opts_.frames == 0)
        flow_.quit();
      after_file_action();
      continue;
    }
    if (text) continue;
    if (ctrl) {
      switch (k.key) {
        case GLFW_KEY_Z:
          if (idle && (shift ? editor_.redo() : editor_.undo())) edit_error_.clear();
          break;
        case GLFW_KEY_Y:
          if (idle && editor_.redo()) edit_error_.clear();
          break;
        case GLFW_KEY_D:
          if (idle) editor_.duplicate(editor_.selected());
          break;
        default:
          break;
      }
      continue;
    }
    switch (k.key) {
      case GLFW_KEY_N:
      case GLFW_KEY_INSERT:
        if (idle && !k.repeat) editor_.add_default_kernel();
        break;
      case GLFW_KEY_DELETE:
      case GLFW_KEY_BACKSPACE:
        if (idle && !k.repeat) editor_.remove(editor_.selected());
        break;
      case GLFW_KEY_F:
        vt_.fit();
        break;
      case GLFW_KEY_O:
        if (!k.repeat) {
          View v = editor_.scene().view;
          v.outlines = !v.outlines;
          editor_.apply_view(v);
        }
        break;
      case GLFW_KEY_ESCAPE:
        if (idle) editor_.select(-1);
        break;
      case GLFW_KEY_TAB:
        if (!editor_.scene().kernels.empty()) {
          int n = int(editor_.scene().kernels.size());
          editor_.select(((editor_.selected() + (shift ? -1 : 1)) % n + n) % n);
        }
        break;
      default:
        break;
    }
  }
}

void App::edit(const Scene& next) {
  if (panel_active_ || ImGui::IsAnyItemActive() || drag_ != Drag::None) editor_.begin_gesture();
  edit_error_ = editor_.apply(next);  // "" when accepted
}

void App::end_gestures_if_idle() {
  // --animate holds one long drag until the last frame (run()).
  if (editor_.in_gesture() && drag_ == Drag::None && !ImGui::IsAnyItemActive() && !opts_.animate)
    editor_.end_gesture();
}

void App::take_screenshot() {
  std::string dir = shot_dir_buf_;
  try {
    std::string png = next_shot_name(dir, "gaussmap", {".npy", "-window.png"});
    std::error_code ec;
    std::string shown = std::filesystem::absolute(png, ec).lexically_normal().string();
    if (ec) shown = png;
    update_field(true);
    write_png(png, current_picture(), scene_to_json_text(editor_.scene()));
    std::string msg = "Saved " + shown;
    if (shot_npy_) {
      write_npy(sibling_path(png, ".npy"), field_);
      msg += " + .npy";
    }
    if (shot_window_) {
      pending_window_shot_ = sibling_path(png, "-window.png");
      msg += " + window";
    }
    last_shot_ = shown;
    toast(msg);
  } catch (const std::exception& e) {
    toast(std::string("Screenshot failed: ") + e.what(), true);
  }
}

// The whole window as it looks now: the back buffer after ImGui rendered, read before the swap,
// flipped so row 0 is on top.
void App::capture_window(const std::string& path) {
  int fbw = 0, fbh = 0;
  glfwGetFramebufferSize(window_, &fbw, &fbh);
  Image img;
  img.width = fbw, img.height = fbh;
  img.rgba.resize(std::size_t(fbw) * std::size_t(fbh) * 4);
  std::vector<std::uint8_t> rows(img.rgba.size());
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, fbw, fbh, GL_RGBA, GL_UNSIGNED_BYTE, rows.data());
  std::size_t stride = std::size_t(fbw) * 4;
  for (int r = 0; r < fbh; ++r)
    std::memcpy(&img.rgba[std::size_t(r) * stride], &rows[std::size_t(fbh - 1 - r) * stride],
                stride);
  for (std::size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;
  try {
    write_png(path, img, scene_to_json_text(editor_.scene()));
  } catch (const std::exception& e) {
    if (opts_.frames > 0) throw;
    toast(std::string("Window shot failed: ") + e.what(), true);
  }
}

void App::after_file_action() {
  std::string note = flow_.take_notice();
  if (!note.empty()) toast(note, flow_.notice_is_error());
  if (flow_.loads() != flow_loads_) {
    flow_loads_ = flow_.loads();
    vt_.fit();
    edit_error_.clear();
  }
  if (flow_.quit_requested()) quit_ = true;
}

double App::clock_s() {
  return now_s();
}

void App::toast(std::string text, bool error) {
  toast_text_ = std::move(text);
  toast_error_ = error;
  toast_until_ = now_s() + (error ? 5.0 : 3.5);
  event_seen_ = true;
}

void App::sync_title() {
  std::string t = window_title(editor_.path(), editor_.dirty());
  if (t != title_) {
    glfwSetWindowTitle(window_, t.c_str());
    title_ = t;
  }
}

// ---------------------------------------------------------------------------------------------
// No lost work.

void App::recovery_startup() {
  const bool automation = opts_.frames > 0;
  recovery_dir_ = opts_.state_dir.empty() ? recovery_dir() : opts_.state_dir;
  self_ = this_process();
  if (!recovery_dir_.empty()) {
    namespace fs = std::filesystem;
    recovery_file_ = (fs::path(recovery_dir_) / recovery_file_name(self_)).string();
    // Without /proc the name carries no start time, and a file of an ended process that had our
    // pid may be there already: it is not ours to overwrite.
    std::error_code ec;
    for (int k = 1; !self_.start && fs::exists(recovery_file_, ec) && k < 1000; ++k)
      recovery_file_ = (fs::path(recovery_dir_) / ("recovery-" + std::to_string(self_.pid) + "-" +
                                                   std::to_string(k) + ".json"))
                           .string();
  }
  // Scripted runs have no edits to keep and must leave the recovery folder as they found it.
  autosave_on_ = opts_.autosave && !automation && !recovery_file_.empty();
  if (!opts_.recovered_from.empty()) {
    editor_.load_recovered(opts_.scene, opts_.scene_path);
    if (!automation) adopted_ = opts_.recovered_from;
  }
  if (!opts_.offer_recovery) return;
  RecoveryScan scan = scan_recoveries(recovery_dir_);
  for (const std::string& note : scan.notes)
    std::fprintf(stderr, "gaussmap: note: %s\n", note.c_str());
  if (scan.notes.size() == 1)
    toast("Recovery: " + scan.notes[0], true);
  else if (!scan.notes.empty())
    toast("Recovery: " + std::to_string(scan.notes.size()) + " files were ignored (see stderr)",
          true);
  for (Recovery& r : scan.stale)
    if (r.file != opts_.recovered_from) stale_.push_back(std::move(r));
  show_recovery_ = !stale_.empty();
  recovery_choice_ = 0;
}

void App::autosave_tick() {
  if (!autosave_on_) return;
  const double now = clock_s();
  const bool dirty = editor_.dirty();
  autosave_.observe(editor_.revision(), dirty, now);
  if (!dirty) {
    // Saved, reopened or discarded: nothing left to recover.
    if (recovery_on_disk_) {
      std::string err = remove_recovery(recovery_file_);
      if (!err.empty()) toast("Autosave: " + err, true);
      recovery_on_disk_ = false;
      autosave_.removed();
    }
    if (!adopted_.empty()) {
      remove_recovery(adopted_);
      adopted_.clear();
    }
    autosave_error_.clear();
    return;
  }
  if (!autosave_.due(now)) return;
  auto t0 = std::chrono::steady_clock::now();
  try {
    write_recovery(recovery_file_, editor_.scene(), editor_.path(), self_);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    autosave_.written(now, s);
    recovery_on_disk_ = true;
    autosave_error_.clear();
    // Our own file holds the recovered work now: the ended viewer's file can go.
    if (!adopted_.empty() && adopted_ != recovery_file_) remove_recovery(adopted_);
    adopted_.clear();
  } catch (const std::exception& e) {
    autosave_.failed(now);
    std::string msg = std::string("Autosave failed: ") + e.what();
    if (msg != autosave_error_) toast(msg, true);
    autosave_error_ = msg;
  }
}

void App::recovery_on_clean_exit() {
  // The document is saved, or the user chose "Discard and quit": nothing to offer next time.
  if (recovery_on_disk_) remove_recovery(recovery_file_);
  recovery_on_disk_ = false;
  if (!adopted_.empty()) remove_recovery(adopted_);
  adopted_.clear();
}

void App::recover(std::size_t index) {
  if (index >= stale_.size() || editor_.dirty()) return;
  Recovery r = std::move(stale_[index]);
  stale_.erase(stale_.begin() + std::ptrdiff_t(index));
  editor_.load_recovered(std::move(r.scene), r.source);
  vt_.fit();
  flow_.field = has_extension(r.source, ".png") ? sibling_path(r.source, ".json") : r.source;
  flow_.clear_error();
  edit_error_.clear();
  if (opts_.frames == 0) adopted_ = r.file;
  show_recovery_ = false;
  toast("Recovered " + (r.source.empty() ? std::string("untitled work") : r.source) +
        ": save it to keep it");
}

void App::discard_recovery(std::size_t index) {
  if (index >= stale_.size()) return;
  std::string err = remove_recovery(stale_[index].file);
  if (!err.empty()) {
    toast("Discard failed: " + err, true);
    return;
  }
  stale_.erase(stale_.begin() + std::ptrdiff_t(index));
  recovery_choice_ = 0;
  if (stale_.empty()) show_recovery_ = false;
}

}  // namespace gm::viewer

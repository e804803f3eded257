// ui_panel.cpp — the ImGui panel on the left: file, scene settings, kernel list, the selected
// kernel, view settings, screenshots, timings, help; plus the toast, the confirm dialog and the
// "Recover unsaved work?" dialog.
// Widgets edit local copies and hand the result to Editor (App::edit / Editor operations): the
// panel holds no editing logic of its own. Numbers drag with speeds scaled to the quantity and can
// be typed exactly (Ctrl+click or double-click; no rounding to the display format).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "core/colormap.hpp"
#include "core/kernel_math.hpp"
#include "core/scene_io.hpp"
#include "viewer/app.hpp"
#include "viewer/files.hpp"
#include "viewer/help_text.hpp"
#include "viewer/kernel_shape.hpp"
#include "viewer/layout.hpp"

namespace gm::viewer {

namespace {

constexpr ImGuiSliderFlags kExact = ImGuiSliderFlags_NoRoundToFormat;

bool drag_double(const char* label, double* v, double speed, double lo = 0, double hi = 0,
                 const char* fmt = "%.6g") {
  bool clamp = lo < hi;
  return ImGui::DragScalar(label, ImGuiDataType_Double, v, float(speed), clamp ? &lo : nullptr,
                           clamp ? &hi : nullptr, fmt,
                           kExact | (clamp ? ImGuiSliderFlags_AlwaysClamp : 0));
}

bool drag_double2(const char* label, double* v, double speed, double lo = 0, double hi = 0,
                  const char* fmt = "%.6g") {
  bool clamp = lo < hi;
  return ImGui::DragScalarN(label, ImGuiDataType_Double, v, 2, float(speed), clamp ? &lo : nullptr,
                            clamp ? &hi : nullptr, fmt,
                            kExact | (clamp ? ImGuiSliderFlags_AlwaysClamp : 0));
}

// A drag speed of about 1/300 of a magnitude per screen pixel, never zero.
double speed_for(double magnitude) {
  magnitude = std::abs(magnitude);
  return std::max(magnitude, 1e-9) / 300.0;
}

template <class E, std::size_t N>
bool enum_combo(const char* label, E& value, const E (&values)[N]) {
  bool changed = false;
  if (ImGui::BeginCombo(label, to_string(value))) {
    for (E v : values) {
      bool sel = v == value;
      if (ImGui::Selectable(to_string(v), sel)) {
        changed = v != value;
        value = v;
      }
      if (sel) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }
  return changed;
}

void help_marker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

const ImVec4 kErrorColor(1.0f, 0.45f, 0.40f, 1.0f);
const ImVec4 kDimColor(0.62f, 0.64f, 0.70f, 1.0f);

void copy_to(char* buf, std::size_t size, const std::string& s) {
  std::size_t n = std::min(s.size(), size - 1);
  std::memcpy(buf, s.data(), n);
  buf[n] = '\0';
}

void error_text(const std::string& s) {
  if (s.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, kErrorColor);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(s.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

}  // namespace

void App::colormap_strip(Colormap c, float width, float height) {
  const ColormapTable& t = colormap_table(c);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 p = ImGui::GetCursorScreenPos();
  const int segments = 64;
  for (int i = 0; i < segments; ++i) {
    auto col = [&](int k) {
      const auto& rgb = t[std::size_t(std::clamp(k, 0, 255))];
      return IM_COL32(rgb[0], rgb[1], rgb[2], 255);
    };
    int a = i * 255 / segments, b = (i + 1) * 255 / segments;
    float x0 = p.x + width * float(i) / segments, x1 = p.x + width * float(i + 1) / segments;
    dl->AddRectFilledMultiColor(ImVec2(x0, p.y), ImVec2(x1, p.y + height), col(a), col(b), col(b),
                                col(a));
  }
  ImGui::Dummy(ImVec2(width, height));
}

void App::draw_panel() {
  ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  panel_width_ = float(canvas_layout(io.DisplaySize.x, io.DisplaySize.y, ui_scale_).panel_width);
  ImGui::SetNextWindowSize(ImVec2(panel_width_, io.DisplaySize.y));
  ImGui::Begin("##panel", nullptr,
               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoBackground);  // cleared by App::frame
  // Header: name, file (shortened from the front to fit), modified mark, undo/redo.
  const ImGuiStyle& st = ImGui::GetStyle();
  float bw = ImGui::CalcTextSize("Redo").x + st.FramePadding.x * 2;
  float buttons_x = ImGui::GetWindowContentRegionMax().x - 2 * bw - st.ItemSpacing.x;
  ImGui::TextUnformatted("gaussmap");
  ImGui::SameLine();
  std::string name = editor_.path().empty()
                         ? std::string("untitled")
                         : std::filesystem::path(editor_.path()).filename().string();
  if (editor_.dirty()) name += "*";
  float room = buttons_x - ImGui::GetCursorPosX() - st.ItemSpacing.x;
  const char* ell = unicode_ ? "\xe2\x80\xa6" : "...";
  if (ImGui::CalcTextSize(name.c_str()).x > room) {
    while (name.size() > 1 && ImGui::CalcTextSize((ell + name).c_str()).x > room) name.erase(0, 1);
    name = ell + name;
  }
  ImGui::TextColored(kDimColor, "%s", name.c_str());
  ImGui::SameLine(buttons_x);
  ImGui::BeginDisabled(!editor_.can_undo());
  if (ImGui::Button("Undo")) editor_.undo();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Ctrl+Z");
  ImGui::SameLine();
  ImGui::BeginDisabled(!editor_.can_redo());
  if (ImGui::Button("Redo")) editor_.redo();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Ctrl+Shift+Z");
  ImGui::Separator();

  ImGui::PushItemWidth(-ImGui::GetFontSize() * 7.5f);
  panel_file();
  panel_scene();
  panel_kernels();
  panel_selected();
  panel_view();
  panel_shots();
  panel_stats();
  panel_help();
  ImGui::PopItemWidth();
  ImGui::End();
}

void App::panel_file() {
  if (!ImGui::CollapsingHeader("File", ImGuiTreeNodeFlags_DefaultOpen)) return;
  // The field is FileFlow's: Open reads it, Save As writes it; Save writes the document's own file.
  if (flow_.field != path_buf_) copy_to(path_buf_, sizeof path_buf_, flow_.field);
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##path", "scene.json (or a gaussmap .png to open)", path_buf_,
                           sizeof path_buf_, ImGuiInputTextFlags_AutoSelectAll);
  flow_.field = path_buf_;
  if (ImGui::Button("Open")) flow_.open_field();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Ctrl+O: open the file named above (or drop a .json / gaussmap .png)");
  ImGui::SameLine();
  const std::string own = flow_.own_file();
  ImGui::BeginDisabled(own.empty());
  if (ImGui::Button("Save")) flow_.save();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("%s", own.empty() ? "no file of its own yet: use Save As"
                                        : ("Ctrl+S: write " + own).c_str());
  ImGui::SameLine();
  if (ImGui::Button("Save As")) flow_.save_as_field();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Ctrl+Shift+S: write the file named above (asks before replacing one)");
  ImGui::SameLine();
  if (ImGui::Button("New")) flow_.new_scene();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("start over from the built-in example");
  after_file_action();
  error_text(flow_.error());
  error_text(autosave_error_);
  if (!stale_.empty() && !show_recovery_) {
    ImGui::TextColored(kDimColor, "unsaved work of %zu ended viewer%s", stale_.size(),
                       stale_.size() == 1 ? "" : "s");
    ImGui::SameLine();
    if (ImGui::SmallButton("Review")) {
      show_recovery_ = true;
      recovery_choice_ = 0;
    }
  }
}

void App::panel_scene() {
  if (!ImGui::CollapsingHeader("Scene", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const Scene& cur = editor_.scene();
  int size[2] = {cur.width, cur.height};
  if (ImGui::InputInt2("size (W, H)", size)) {
    Scene s = cur;
    s.width = std::max(size[0], 1), s.height = std::max(size[1], 1);
    edit(s);
  }
  bool custom = cur.domain_x.has_value() || cur.domain_y.has_value();
  if (ImGui::Checkbox("custom domain", &custom)) {
    Scene s = cur;
    if (custom) {
      s.domain_x = cur.x_range();
      s.domain_y = cur.y_range();
    } else {
      s.domain_x.reset();
      s.domain_y.reset();
    }
    edit(s);
  }
  help_marker(
      "Domain x = [x0, x1], y = [y0, y1]: coordinates of the centres of the first and last "
      "pixel (numpy linspace). Row 0 (y0) is the top row. Off: pixel indices.");
  if (custom) {
    auto xr = cur.x_range(), yr = cur.y_range();
    double x[2] = {xr[0], xr[1]}, y[2] = {yr[0], yr[1]};
    if (drag_double2("x0, x1", x, speed_for(xr[1] - xr[0]))) {
      Scene s = cur;
      s.domain_x = std::array<double, 2>{x[0], x[1]};
      s.domain_y = yr;
      edit(s);
    }
    if (drag_double2("y0, y1", y, speed_for(yr[1] - yr[0]))) {
      Scene s = cur;
      s.domain_x = xr;
      s.domain_y = std::array<double, 2>{y[0], y[1]};
      edit(s);
    }
  }
  Normalization n = cur.normalization;
  if (enum_combo("normalization", n, {Normalization::Pdf, Normalization::Peak})) {
    Scene s = cur;
    s.normalization = n;
    edit(s);
  }
  help_marker(
      "pdf: w * exp(-d^2/2) / (2 pi sqrt(det Sigma)), scipy's pdf.\n"
      "peak: w * exp(-d^2/2), the peak equals the weight.");
  Combine c = cur.combine;
  if (enum_combo("combine", c, {Combine::Sum, Combine::Max, Combine::ProbOr})) {
    Scene s = cur;
    s.combine = c;
    edit(s);
  }
  help_marker(
      "sum: weighted mixture. max: CenterNet-style targets.\n"
      "prob_or: 1 - prod(1 - clamp(v, 0, 1)), at least one kernel fires.");
  Sampling sm = cur.sampling;
  if (enum_combo("sampling", sm, {Sampling::Point, Sampling::Area})) {
    Scene s = cur;
    s.sampling = sm;
    edit(s);
  }
  help_marker(
      "point: value at the pixel centre. area: mean over the pixel's cell "
      "(no aliasing of kernels narrower than a pixel).");
  bool cut = cur.cutoff_sigma.has_value();
  if (ImGui::Checkbox("cutoff", &cut)) {
    Scene s = cur;
    if (cut)
      s.cutoff_sigma = 3.0;
    else
      s.cutoff_sigma.reset();
    edit(s);
  }
  if (cut) {
    ImGui::SameLine();
    double k = *cur.cutoff_sigma;
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    if (drag_double("k (sigmas)", &k, 0.01, 0.05, 100, "%.4g")) {
      Scene s = cur;
      s.cutoff_sigma = k;
      edit(s);
    }
  }
  if (cur.combine == Combine::ProbOr) {
    for (const auto& k : cur.kernels) {
      if (!k.visible) continue;
      Gaussian g = resolve(k, cur.normalization, cur.cutoff_sigma);
      if (g.amp > 1 || g.amp < 0) {
        ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.3f, 1.0f),
                           "prob_or clamps kernel values outside [0, 1]");
        break;
      }
    }
  }
  error_text(edit_error_);
  error_text(render_error_);
}

void App::panel_kernels() {
  const Scene& cur = editor_.scene();
  char header[64];
  std::snprintf(header, sizeof header, "Kernels (%zu)###kernels", cur.kernels.size());
  if (!ImGui::CollapsingHeader(header, ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (ImGui::Button("Add")) editor_.add_default_kernel();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("N, or double-click the canvas");
  ImGui::SameLine();
  ImGui::BeginDisabled(editor_.selected() < 0);
  if (ImGui::Button("Duplicate")) editor_.duplicate(editor_.selected());
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Ctrl+D");
  ImGui::SameLine();
  if (ImGui::Button("Delete")) editor_.remove(editor_.selected());
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Del");
  ImGui::EndDisabled();

  int n = int(cur.kernels.size());
  if (n == 0) {
    ImGui::TextColored(kDimColor, "no kernels: Add, or double-click the canvas");
    return;
  }
  float row_h = ImGui::GetFrameHeightWithSpacing();
  float h = row_h * float(std::clamp(n, 2, 6)) + 2 * ImGui::GetStyle().WindowPadding.y;
  ImGui::BeginChild("##kernel_list", ImVec2(0, h), true, n <= 6 ? ImGuiWindowFlags_NoScrollbar : 0);
  const char* sigma = unicode_ ? "\xcf\x83" : "s";
  const char* times = unicode_ ? "\xc3\x97" : "x";
  ImGuiListClipper clip;  // only the visible rows of a long list are built
  clip.Begin(n);
  int to_select = -2, toggle = -1;
  while (clip.Step()) {
    for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
      const Kernel& k = cur.kernels[std::size_t(i)];
      ImGui::PushID(i);
      bool vis = k.visible;
      if (ImGui::Checkbox("##vis", &vis)) toggle = i;
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("visible (hidden kernels contribute nothing)");
      ImGui::SameLine();
      Axes ax = kernel_axes(k);
      char label[160];
      std::snprintf(label, sizeof label, "#%d  (%.4g, %.4g)  %s %.3g%s%.3g  w %.3g%s", i, k.cx,
                    k.cy, sigma, ax.sx, times, ax.sy, k.weight, k.use_covariance ? "  cov" : "");
      if (!k.visible)
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
      if (ImGui::Selectable(label, editor_.selected() == i, 0, ImVec2(0, ImGui::GetFrameHeight())))
        to_select = i;
      if (!k.visible) ImGui::PopStyleColor();
      ImGui::PopID();
    }
  }
  ImGui::EndChild();
  if (toggle >= 0) editor_.set_visible(toggle, !cur.kernels[std::size_t(toggle)].visible);
  if (to_select >= -1) editor_.select(to_select);
}

void App::panel_selected() {
  const Kernel* sel = editor_.selected_kernel();
  if (!ImGui::CollapsingHeader("Selected kernel", ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (!sel) {
    ImGui::TextColored(kDimColor, "none: click a kernel on the canvas or in the list");
    return;
  }
  const int index = editor_.selected();
  const Scene& cur = editor_.scene();
  Kernel k = *sel;
  bool changed = false;
  auto xr = cur.x_range(), yr = cur.y_range();
  double extent = std::max(std::abs(xr[1] - xr[0]), std::abs(yr[1] - yr[0]));
  ImGui::Text("#%d", index);
  ImGui::SameLine();
  changed |= ImGui::Checkbox("visible", &k.visible);
  ImGui::SameLine();
  int form = k.use_covariance ? 1 : 0;
  if (ImGui::RadioButton("sigma", &form, 0) && k.use_covariance) {
    Axes ax = axes_of_covariance(k.cov_xx, k.cov_xy, k.cov_yy);
    k.sx = ax.sx, k.sy = ax.sy, k.angle_deg = ax.angle_deg;
    k.use_covariance = false;
    changed = true;
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("covariance", &form, 1) && !k.use_covariance) {
    kernel_covariance(k, k.cov_xx, k.cov_xy, k.cov_yy);
    k.use_covariance = true;
    changed = true;
  }
  double c[2] = {k.cx, k.cy};
  if (drag_double2("centre x, y", c, speed_for(extent))) {
    k.cx = c[0], k.cy = c[1];
    changed = true;
  }
  if (!k.use_covariance) {
    double s[2] = {k.sx, k.sy};
    if (drag_double2("sigma x, y", s, speed_for(std::max(k.sx, k.sy)), 1e-9, 1e12)) {
      k.sx = s[0], k.sy = s[1];
      changed = true;
    }
    changed |= drag_double("angle (deg)", &k.angle_deg, 0.25, -360, 360, "%.4g");
  } else {
    double mag = std::max({std::abs(k.cov_xx), std::abs(k.cov_yy), 1e-12});
    changed |= drag_double("cov xx", &k.cov_xx, speed_for(mag), 1e-18, 1e24);
    changed |= drag_double("cov xy", &k.cov_xy, speed_for(mag));
    changed |= drag_double("cov yy", &k.cov_yy, speed_for(mag), 1e-18, 1e24);
    if (k.cov_xx * k.cov_yy - k.cov_xy * k.cov_xy <= 0)
      ImGui::TextColored(kErrorColor, "not positive definite: xx * yy must exceed xy^2");
  }
  changed |= drag_double("weight", &k.weight, speed_for(std::max(std::abs(k.weight), 0.1)));
  help_marker("Drag to change; Ctrl+click (or double-click) to type an exact number.");
  if (changed) {
    Scene s = cur;
    s.kernels[std::size_t(index)] = k;
    edit(s);
  }
  Gaussian g = resolve(*sel, cur.normalization, cur.cutoff_sigma);
  ImGui::TextColored(kDimColor, "peak %.6g   mass %.6g", g.amp, g.mass);
}

void App::panel_view() {
  if (!ImGui::CollapsingHeader("View", ImGuiTreeNodeFlags_DefaultOpen)) return;
  View v = editor_.scene().view;
  bool changed = false;
  float strip_w = ImGui::CalcItemWidth();
  static const Colormap kMaps[] = {Colormap::Viridis, Colormap::Magma,   Colormap::Inferno,
                                   Colormap::Plasma,  Colormap::Cividis, Colormap::Turbo,
                                   Colormap::Gray};
  if (ImGui::BeginCombo("colormap", to_string(v.colormap))) {
    for (Colormap m : kMaps) {
      ImGui::PushID(int(m));
      bool sel = m == v.colormap;
      if (ImGui::Selectable("##pick", sel, 0, ImVec2(0, ImGui::GetTextLineHeight()))) {
        changed |= m != v.colormap;
        v.colormap = m;
      }
      ImGui::SameLine(0, 0);
      ImGui::SetCursorPosX(ImGui::GetStyle().WindowPadding.x);
      ImGui::Text("%s", to_string(m));
      ImGui::SameLine(ImGui::GetFontSize() * 5.0f);
      colormap_strip(m, std::max(strip_w - ImGui::GetFontSize() * 5.5f, 40.0f),
                     ImGui::GetTextLineHeight());
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  colormap_strip(v.colormap, strip_w, ImGui::GetFontSize() * 0.7f);

  int range_mode = v.range_auto ? 0 : 1;
  ImGui::TextUnformatted("range");
  ImGui::SameLine();
  if (ImGui::RadioButton("auto", &range_mode, 0) && !v.range_auto) {
    v.range_auto = true;
    changed = true;
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("fixed", &range_mode, 1) && v.range_auto) {
    v.range_auto = false;
    v.vmin = range_.vmin, v.vmax = range_.vmax;
    changed = true;
  }
  ImGui::TextColored(kDimColor, "field min %.6g  max %.6g%s", double(field_minmax_.min),
                     double(field_minmax_.max), field_is_preview_ ? " (preview)" : "");
  if (!v.range_auto) {
    double r[2] = {v.vmin, v.vmax};
    if (drag_double2("vmin, vmax", r, speed_for(std::max(std::abs(r[1] - r[0]), 1e-12)))) {
      v.vmin = r[0], v.vmax = r[1];
      changed = true;
    }
    if (ImGui::SmallButton("from field")) {
      v.vmin = field_minmax_.min, v.vmax = field_minmax_.max;
      changed = true;
    }
  }
  changed |= enum_combo("scale", v.scale, {Scale::Linear, Scale::Log, Scale::Sqrt});
  changed |= ImGui::SliderInt("contours", &v.contour_levels, 0, Limits::kMaxContourLevels,
                              v.contour_levels == 0 ? "off" : "%d levels");
  changed |= ImGui::Checkbox("kernel outlines", &v.outlines);
  ImGui::SameLine();
  ImGui::TextColored(kDimColor, "zoom %.3gx", vt_.zoom());
  ImGui::SameLine();
  if (ImGui::SmallButton("Fit")) vt_.fit();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("F");
  if (!outline_note_.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kDimColor);
    ImGui::TextWrapped("%s", outline_note_.c_str());
    ImGui::PopStyleColor();
  }
  if (changed) {
    Scene s = editor_.scene();
    s.view = v;
    edit(s);
  }
}

void App::panel_shots() {
  if (!ImGui::CollapsingHeader("Screenshot")) return;
  ImGui::InputText("folder", shot_dir_buf_, sizeof shot_dir_buf_,
                   ImGuiInputTextFlags_AutoSelectAll);
  ImGui::Checkbox("+ .npy field", &shot_npy_);
  ImGui::SameLine();
  ImGui::Checkbox("+ whole window", &shot_window_);
  if (ImGui::Button("Screenshot (F12)")) shot_requested_ = true;
  help_marker(
      "Writes gaussmap-NNNN.png (the colormapped field at the scene's resolution, with the "
      "scene embedded: drop it on the window to reopen), never overwriting. Ctrl+P too.");
  if (!last_shot_.empty()) ImGui::TextColored(kDimColor, "last: %s", last_shot_.c_str());
}

void App::panel_stats() {
  if (!ImGui::CollapsingHeader("Performance")) return;
  const Scene& s = editor_.scene();
  ImGui::Text("field %d x %d, %zu kernels", s.width, s.height, s.kernels.size());
  ImGui::TextWrapped("backend %s", sched_.choice().why.c_str());
  if (sched_.backend() == FieldBackend::Cpu)
    ImGui::Text("CPU field %.1f ms", full_field_ms_);
  else if (gpu_ms_ >= 0)
    ImGui::Text("GPU field pass %.2f ms", gpu_ms_);
  else
    ImGui::Text("GPU field pass: no timer");
  if (sched_.backend() == FieldBackend::Gpu)
    ImGui::Text("full field + readback %.1f ms", full_field_ms_);
  ImGui::Text("frame %.1f ms", frame_ms_);
  if (field_is_preview_) ImGui::Text("showing a preview at 1/%d resolution", preview_factor_);
  if (sched_.job())
    ImGui::Text("refining: %d of %d rows, bands of %d", sched_.job()->next_row,
                sched_.job()->scene.height, sched_.job()->band_rows);
  ImGui::TextColored(kDimColor, "throughput %.3g kernel-px/ms (point), %.3g (area)",
                     sched_.rate().point, sched_.rate().area);
  ImGui::TextColored(kDimColor, "%s", renderer_.renderer_name().c_str());
}

void App::panel_help() {
  if (!ImGui::CollapsingHeader("Help")) return;
  // Each item under one bullet, wrapped to the panel: a continued line keeps its bullet's indent.
  for (const char* item : help_items()) {
    ImGui::Bullet();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(item);
    ImGui::PopTextWrapPos();
  }
}

void App::draw_toast() {
  if (toast_text_.empty() || clock_s() > toast_until_) return;
  // Above the canvas's status line (frame times), which sits at its bottom edge.
  ImVec2 pos(float(canvas_.x + canvas_.w * 0.5),
             float(canvas_.y + canvas_.h) - ImGui::GetFontSize() - 14 * ui_scale_);
  ImGui::SetNextWindowPos(pos, ImGuiCond_Always, ImVec2(0.5f, 1.0f));
  ImGui::SetNextWindowBgAlpha(0.88f);
  ImGui::Begin("##toast", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                   ImGuiWindowFlags_NoInputs | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
  // Long messages (paths) wrap inside the canvas instead of running off it.
  ImGui::PushTextWrapPos(std::max(float(canvas_.w) * 0.85f, 12.0f * ImGui::GetFontSize()));
  if (toast_error_)
    ImGui::TextColored(kErrorColor, "%s", toast_text_.c_str());
  else
    ImGui::TextUnformatted(toast_text_.c_str());
  ImGui::PopTextWrapPos();
  ImGui::End();
}

void App::draw_modals() {
  draw_recovery_modal();  // first: it steps aside in the frame the confirm dialog opens
  // "Unsaved changes" (Save first / Discard / Cancel) and "Replace file?" (Replace / Cancel), for
  // the question FileFlow has pending; a popup whose question was answered (by a key, see
  // handle_shortcuts) closes.
  using Ask = FileFlow::Ask;
  using Answer = FileFlow::Answer;
  ImGuiIO& io = ImGui::GetIO();
  for (Ask kind : {Ask::Discard, Ask::Replace}) {
    const char* title = kind == Ask::Replace ? "Replace file?" : "Unsaved changes";
    if (flow_.ask() == kind && !ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.4f),
                            ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) continue;
    ImGui::PushTextWrapPos(std::min(34.0f * ImGui::GetFontSize(), io.DisplaySize.x * 0.8f));
    const std::string path = flow_.ask_path();
    bool answered = flow_.ask() != kind;
    if (!answered && kind == Ask::Replace) {
      ImGui::Text("%s already exists.", path.c_str());
      ImGui::TextUnformatted("Replace it with this scene?");
      ImGui::Spacing();
      if (ImGui::Button("Replace (R)")) flow_.answer(Answer::Replace), answered = true;
    } else if (!answered) {
      const auto then = flow_.then();
      ImGui::TextUnformatted("The scene has unsaved changes.");
      if (then == FileFlow::Then::Quit)
        ImGui::TextUnformatted("Quit anyway?");
      else
        ImGui::Text("Open %s and discard them?", path.empty() ? "the example scene" : path.c_str());
      ImGui::Spacing();
      const std::string own = flow_.own_file();
      ImGui::BeginDisabled(own.empty());
      if (ImGui::Button("Save first (S)")) flow_.answer(Answer::SaveFirst), answered = true;
      ImGui::EndDisabled();
      if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", own.empty() ? "no file of its own yet: Cancel, then Save As"
                                            : ("write " + own).c_str());
      ImGui::SameLine();
      if (ImGui::Button(then == FileFlow::Then::Quit ? "Discard and quit (D)" : "Discard (D)"))
        flow_.answer(Answer::Discard), answered = true;
    }
    if (!answered) {
      ImGui::SameLine();
      if (ImGui::Button("Cancel (Esc)")) flow_.answer(Answer::Cancel), answered = true;
    }
    ImGui::PopTextWrapPos();
    if (answered) {
      after_file_action();
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
}

}  // namespace gm::viewer

namespace gm::viewer {

// "Recover unsaved work?": the stale recovery files (newest first), one chosen with a radio
// button; Recover loads it as a modified document, Discard deletes its file, Later keeps them all
// (the File section offers them again). Text wraps at a fixed width so long paths never clip.
void App::draw_recovery_modal() {
  const char* title = "Recover unsaved work?";
  if (flow_.ask() != FileFlow::Ask::None) show_recovery_ = false;
  if (show_recovery_ && stale_.empty()) show_recovery_ = false;
  if (show_recovery_ && !ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
  ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.42f),
                          ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  if (!show_recovery_) {
    ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    return;
  }
  const float em = ImGui::GetFontSize();
  const float width = std::min(34.0f * em, io.DisplaySize.x * 0.8f);
  ImGui::PushTextWrapPos(width);
  ImGui::TextUnformatted(stale_.size() == 1
                             ? "A gaussmap viewer ended without saving its changes (a crash or "
                               "a kill). Its work was kept:"
                             : "gaussmap viewers ended without saving their changes (a crash or "
                               "a kill). Their work was kept:");
  ImGui::Spacing();
  const std::int64_t now = std::int64_t(std::time(nullptr));
  recovery_choice_ = std::clamp(recovery_choice_, 0, int(stale_.size()) - 1);
  const int listed = std::min(int(stale_.size()), 6);
  for (int i = 0; i < listed; ++i) {
    const Recovery& r = stale_[std::size_t(i)];
    ImGui::PushID(i);
    std::string name = r.source.empty() ? std::string("untitled")
                                        : std::filesystem::path(r.source).filename().string();
    ImGui::RadioButton(name.c_str(), &recovery_choice_, i);
    ImGui::Indent(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x);
    const Scene& sc = r.scene;
    ImGui::TextColored(kDimColor, "saved %s", describe_saved_time(r.saved_unix, now).c_str());
    ImGui::TextColored(kDimColor, "%zu kernel%s, %d %s %d, %s", sc.kernels.size(),
                       sc.kernels.size() == 1 ? "" : "s", sc.width, unicode_ ? "\xc3\x97" : "x",
                       sc.height, to_string(sc.combine));
    if (!r.source.empty()) {
      // One line, shortened from the front (the file name matters most); the tooltip has it all.
      std::string shown = "from " + r.source;
      const float room = width - ImGui::GetCursorPosX();
      const char* ell = unicode_ ? "\xe2\x80\xa6" : "...";
      if (ImGui::CalcTextSize(shown.c_str()).x > room) {
        std::string tail = r.source;
        while (tail.size() > 1 &&
               ImGui::CalcTextSize(("from " + std::string(ell) + tail).c_str()).x > room)
          tail.erase(0, 1);
        shown = "from " + std::string(ell) + tail;
      }
      ImGui::TextColored(kDimColor, "%s", shown.c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", r.source.c_str());
    }
    ImGui::Unindent(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x);
    ImGui::PopID();
    ImGui::Spacing();
  }
  if (int(stale_.size()) > listed)
    ImGui::TextColored(kDimColor, "and %d more (Discard or Recover these first)",
                       int(stale_.size()) - listed);
  if (editor_.dirty())
    ImGui::TextColored(kErrorColor, "Save or discard the current changes before recovering.");
  ImGui::Separator();
  std::size_t choice = std::size_t(recovery_choice_);
  ImGui::BeginDisabled(editor_.dirty());
  if (ImGui::Button("Recover")) recover(choice);
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("open it as an unsaved document");
  ImGui::SameLine();
  if (ImGui::Button("Discard")) discard_recovery(choice);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("delete this recovery file for good");
  ImGui::SameLine();
  if (ImGui::Button("Later") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))
    show_recovery_ = false;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("keep the files; the File section offers them again");
  ImGui::TextColored(kDimColor, "files in %s", recovery_dir_.c_str());
  ImGui::PopTextWrapPos();
  if (!show_recovery_) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

}  // namespace gm::viewer

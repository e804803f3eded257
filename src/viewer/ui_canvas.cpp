// ui_canvas.cpp — the canvas right of the panel: the colormapped field letterboxed into it (pan,
// zoom, fit through ViewTransform), kernel ellipses at 1/2/3 sigma (or up to the cutoff) with the
// selected kernel's handles, mouse interaction (select, move, reshape, pan, zoom, add), the
// colorbar with ticks in field units, and the hover probe. Drawn with ImGui's background draw list,
// so the panel window always covers anything that pans under it.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "core/colormap.hpp"
#include "core/kernel_math.hpp"
#include "viewer/app.hpp"
#include "viewer/colorbar.hpp"
#include "viewer/kernel_shape.hpp"
#include "viewer/layout.hpp"
#include "viewer/outline_plan.hpp"

namespace gm::viewer {

namespace {

ImVec2 iv(Vec2 v) {
  return ImVec2(float(v.x), float(v.y));
}
Vec2 dv(ImVec2 v) {
  return Vec2{double(v.x), double(v.y)};
}

bool inside(const Rect& r, Vec2 p) {
  return p.x >= r.x && p.x < r.x + r.w && p.y >= r.y && p.y < r.y + r.h;
}

ImU32 lut_color(const ColormapTable& t, double u) {
  auto i = std::size_t(std::lround(std::clamp(u, 0.0, 1.0) * 255.0));
  return IM_COL32(t[i][0], t[i][1], t[i][2], 255);
}

// Ellipse levels (in sigmas) drawn for a scene: 1, 2, 3 — or those below the cutoff plus the
// cutoff.
std::vector<double> outline_levels(const Scene& s) {
  if (!s.cutoff_sigma) return {1, 2, 3};
  double k = *s.cutoff_sigma;
  std::vector<double> out;
  for (double l : {1.0, 2.0, 3.0})
    if (l < k - 1e-9) out.push_back(l);
  out.push_back(k);
  return out;
}

constexpr int kPlainOutlinesFrom = 16;  // more kernels: plain outlines during drags
constexpr int kMaxHoverPick = 5000;     // hover cursor feedback up to this many kernels

}  // namespace

void App::layout_canvas() {
  ImGuiIO& io = ImGui::GetIO();
  CanvasLayout l = canvas_layout(io.DisplaySize.x, io.DisplaySize.y, ui_scale_);
  canvas_ = l.canvas;
  colorbar_ = l.colorbar;
  vt_.set_canvas(canvas_);
  vt_.set_grid(editor_.scene());
}

// What the left button grabs at screen point m: the selected kernel's shape handles first, then the
// nearest centre within reach, then the innermost kernel whose 1-sigma ellipse contains the point.
static int pick(const Scene& sc, int selected, const ViewTransform& vt, Vec2 m, double reach,
                Handle& handle) {
  handle = Handle::Center;
  int n = int(sc.kernels.size());
  if (selected >= 0 && selected < n && sc.view.outlines) {
    const Kernel& k = sc.kernels[std::size_t(selected)];
    for (Handle h : {Handle::AxisX, Handle::AxisY})
      if (length(vt.domain_to_screen(handle_position(k, h)) - m) <= reach) {
        handle = h;
        return selected;
      }
  }
  int best = -1;
  double best_d = reach;
  for (int i = 0; i < n; ++i) {
    const Kernel& k = sc.kernels[std::size_t(i)];
    double d = length(vt.domain_to_screen({k.cx, k.cy}) - m);
    if (d <= best_d) best = i, best_d = d;
  }
  if (best >= 0) return best;
  Vec2 p = vt.screen_to_domain(m);
  double best_d2 = 1.0;
  for (int i = 0; i < n; ++i) {
    double d2 = mahalanobis2(sc.kernels[std::size_t(i)], p);
    if (d2 <= best_d2) best = i, best_d2 = d2;
  }
  return best;
}

void App::canvas_input() {
  ImGuiIO& io = ImGui::GetIO();
  Vec2 m = dv(io.MousePos);
  bool over = !io.WantCaptureMouse && inside(canvas_, m) && flow_.ask() == FileFlow::Ask::None;
  const Scene& sc = editor_.scene();
  double reach = 9.0 * ui_scale_;

  // Pan: right or middle drag.
  if (drag_ == Drag::None && over &&
      (ImGui::IsMouseClicked(ImGuiMouseButton_Right) ||
       ImGui::IsMouseClicked(ImGuiMouseButton_Middle)))
    drag_ = Drag::Pan;
  if (drag_ == Drag::Pan) {
    if (ImGui::IsMouseDown(ImGuiMouseButton_Right) || ImGui::IsMouseDown(ImGuiMouseButton_Middle))
      vt_.pan_by(dv(io.MouseDelta));
    else
      drag_ = Drag::None;
  }
  // Zoom about the cursor.
  if (over && io.MouseWheel != 0.0f) vt_.zoom_about(m, std::pow(1.2, double(io.MouseWheel)));

  // Left: select / move / reshape; double-click on empty space adds a kernel there.
  if (drag_ == Drag::None && over && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    Handle h;
    int i = pick(sc, editor_.selected(), vt_, m, reach, h);
    if (i >= 0) {
      editor_.select(i);
      drag_ = Drag::Kernel;
      drag_kernel_ = i;
      drag_handle_ = h;
      drag_start_kernel_ = sc.kernels[std::size_t(i)];
      drag_grab_offset_ =
          Vec2{drag_start_kernel_.cx, drag_start_kernel_.cy} - vt_.screen_to_domain(m);
    } else if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && inside(vt_.image_rect(), m)) {
      Vec2 at = vt_.screen_to_domain(m), unit = vt_.domain_per_screen_pixel();
      editor_.add_default_kernel(Vec2{round_to_pixel(at.x, unit.x), round_to_pixel(at.y, unit.y)});
    } else {
      editor_.select(-1);
    }
  }
  if (drag_ == Drag::Kernel) {
    if (!ImGui::IsMouseDown(ImGuiMouseButton_Left) || drag_kernel_ >= int(sc.kernels.size())) {
      drag_ = Drag::None;
      editor_.end_gesture();
    } else if (ImGui::IsMouseDragging(ImGuiMouseButton_Left, float(2.0 * ui_scale_))) {
      // Always from the kernel as it was when the drag started, so the handles keep their roles
      // even when a covariance kernel's major axis swaps.
      Vec2 p = vt_.screen_to_domain(m);
      if (drag_handle_ == Handle::Center) p = p + drag_grab_offset_;
      editor_.begin_gesture();
      Scene s = sc;
      // Rounded to what the zoom level can point at, so saved files hold 200.43, not
      // 200.43280182232346.
      s.kernels[std::size_t(drag_kernel_)] =
          round_for_screen(kernel_with_handle(drag_start_kernel_, drag_handle_, p), drag_handle_,
                           vt_.domain_per_screen_pixel());
      edit(s);
    }
  }

  // Cursor feedback and probe position.
  hover_ = over && drag_ != Drag::Pan && opts_.frames == 0;  // scripted shots: no tooltip
  hover_domain_ = vt_.screen_to_domain(m);
  if (drag_ == Drag::Pan) {
    ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeAll);
  } else if (drag_ == Drag::Kernel) {
    ImGui::SetMouseCursor(drag_handle_ == Handle::Center ? ImGuiMouseCursor_ResizeAll
                                                         : ImGuiMouseCursor_Hand);
  } else if (over && int(sc.kernels.size()) <= kMaxHoverPick) {
    Handle h;
    if (pick(sc, editor_.selected(), vt_, m, reach, h) >= 0)
      ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  }
}

void App::draw_canvas() {
  // The canvas background is a clear of the frame (App::frame), not a quad.
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  ImVec2 c0 = iv({canvas_.x, canvas_.y}), c1 = iv({canvas_.x + canvas_.w, canvas_.y + canvas_.h});
  dl->PushClipRect(c0, c1, true);
  Rect r = vt_.image_rect();
  ImVec2 i0 = iv({r.x, r.y}), i1 = iv({r.x + r.w, r.y + r.h});
  // Every texture holds the top image row at texture row 0; the picture is blitted (image_blit).
  if (display_ == Display::Renderer) {
    image_blit_.add(dl, renderer_.color_texture(), field_.width, field_.height, r);
  } else if (display_ == Display::Own) {
    image_blit_.add(dl, own_tex_.id(), own_tex_.width(), own_tex_.height(), r);
  } else {
    image_blit_.add(dl, preview_tex_.id(), preview_tex_.width(), preview_tex_.height(), r);
    if (sched_.job() && sched_.job()->next_row > 0 && own_tex_.id()) {
      // Rows refined so far, over the preview.
      const int rows = sched_.job()->next_row;
      const double f = double(rows) / double(sched_.job()->scene.height);
      image_blit_.add(dl, own_tex_.id(), own_tex_.width(), rows, Rect{r.x, r.y, r.w, r.h * f});
    }
  }
  dl->AddRect(ImVec2(i0.x - 1, i0.y - 1), ImVec2(i1.x + 1, i1.y + 1), IM_COL32(255, 255, 255, 48));
  if (!contours_.empty()) draw_contours();
  outline_note_.clear();
  if (editor_.scene().view.outlines) draw_outlines();
  // The hovered pixel, once pixels are big enough to see.
  if (hover_ && vt_.scale() >= 6) {
    int col, row;
    if (pixel_of(editor_.scene(), hover_domain_, col, row)) {
      Vec2 a = vt_.pixel_to_screen({col - 0.5, row - 0.5}),
           b = vt_.pixel_to_screen({col + 0.5, row + 0.5});
      dl->AddRect(iv(a), iv(b), IM_COL32(255, 255, 255, 200));
    }
  }
  if (sched_.job() || field_is_preview_) {
    char msg[64];
    if (sched_.job())
      std::snprintf(msg, sizeof msg, "refining %d%%",
                    100 * sched_.job()->next_row / std::max(sched_.job()->scene.height, 1));
    else
      std::snprintf(msg, sizeof msg, "preview 1/%d", preview_factor_);
    ImVec2 p(c0.x + 8 * ui_scale_, c0.y + 6 * ui_scale_);
    ImVec2 ts = ImGui::CalcTextSize(msg);
    dl->AddRectFilled(ImVec2(p.x - 4, p.y - 2), ImVec2(p.x + ts.x + 4, p.y + ts.y + 2),
                      IM_COL32(0, 0, 0, 150), 3);
    dl->AddText(p, IM_COL32(255, 220, 120, 255), msg);
  }
  if (!render_error_.empty()) {
    // Wrapped to the canvas: a long message (a limit, a path) must not run off it.
    float wrap = std::max(float(canvas_.w) * 0.8f, 10.0f * ImGui::GetFontSize());
    ImVec2 ts = ImGui::CalcTextSize(render_error_.c_str(), nullptr, false, wrap);
    ImVec2 p(float(canvas_.x + canvas_.w * 0.5) - ts.x * 0.5f, float(canvas_.y + canvas_.h * 0.5));
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), p, IM_COL32(255, 120, 110, 255),
                render_error_.c_str(), nullptr, wrap);
  }
  {
    // Status line: the field's backend and time, the frame time (details and the reason for the
    // backend in the panel's Performance section).
    char st[160];
    if (sched_.backend() == FieldBackend::Gpu && gpu_ms_ >= 0)
      std::snprintf(st, sizeof st, "field on the GPU %.2f ms   frame %.1f ms", gpu_ms_, frame_ms_);
    else
      std::snprintf(st, sizeof st, "field on the %s %.1f ms   frame %.1f ms",
                    sched_.backend() == FieldBackend::Cpu ? "CPU" : "GPU", last_field_ms_,
                    frame_ms_);
    float fs = ImGui::GetFontSize();
    dl->AddText(ImVec2(c0.x + 8 * ui_scale_, c1.y - fs - 6 * ui_scale_),
                IM_COL32(150, 152, 160, 255), st);
  }
  dl->PopClipRect();
  draw_colorbar();
  if (hover_) draw_probe();
}

void App::draw_contours() {
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  const ImU32 col = IM_COL32(255, 255, 255, 150);
  const float thick = 1.0f * ui_scale_;
  for (const Segment& sg : contours_)
    dl->AddLine(iv(vt_.domain_to_screen(sg.a)), iv(vt_.domain_to_screen(sg.b)), col, thick);
}

void App::draw_outlines() {
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  const Scene& sc = editor_.scene();
  const int n = int(sc.kernels.size());
  const int sel = editor_.selected();
  const float s = ui_scale_;
  const std::vector<double> levels = outline_levels(sc);
  std::vector<ImVec2> pts;
  // While a drag changes the scene every frame, many outlines are drawn plain (no anti-aliasing, no
  // dark halo): on a software GL each anti-aliased segment is several triangles, and 64 kernels'
  // outlines took ~150 ms a frame on llvmpipe. The full look returns when the drag ends. Plain
  // outlines of one screen pixel are GL lines in one call (line_batch.hpp), not ImGui triangles,
  // and the other kernels show their 1-sigma ellipse only (the dragged or selected kernel keeps
  // every level): their 2- and 3-sigma rings were half of a 64-kernel drag's GL time.
  const bool plain = editor_.in_gesture() && n > kPlainOutlinesFrom;
  bool gl_lines = plain && s <= 1.5f;  // the others' outlines; the selected kernel's stay ImGui's
  const ImDrawListFlags flags = dl->Flags;
  if (plain) dl->Flags &= ~ImDrawListFlags_AntiAliasedLines;

  // 1-sigma radius on screen (the larger principal axis), pixels.
  auto screen_radius = [&](const Kernel& k) {
    Axes ax = kernel_axes(k);
    Vec2 c = vt_.domain_to_screen({k.cx, k.cy});
    Vec2 ppd = vt_.domain_to_screen({k.cx + 1, k.cy + 1}) - c;  // screen px per domain unit
    double rs = std::max(ax.sx * std::abs(ppd.x), ax.sy * std::abs(ppd.y));
    return std::max(rs, std::max(ax.sy * std::abs(ppd.x), ax.sx * std::abs(ppd.y)));
  };
  auto ellipse = [&](const Kernel& k, double level, ImU32 col, float thick) {
    Vec2 c = vt_.domain_to_screen({k.cx, k.cy});
    double rs = level * screen_radius(k);
    if (c.x + rs < canvas_.x || c.x - rs > canvas_.x + canvas_.w || c.y + rs < canvas_.y ||
        c.y - rs > canvas_.y + canvas_.h)
      return;  // off screen
    if (rs < 1.5) return;
    // A chord of n segments strays rs (1 - cos(pi / n)) from the arc: while dragging (plain), up to
    // half a pixel; otherwise one segment per 2.5 px of radius (about a tenth of a pixel).
    int segs = plain ? int(std::ceil(kPi / std::acos(1.0 - 0.5 / rs))) : int(rs / 2.5);
    segs = std::clamp(segs, plain ? 12 : 24, 160);
    pts.clear();
    for (Vec2 p : ellipse_points(k, level, segs)) pts.push_back(iv(vt_.domain_to_screen(p)));
    if (gl_lines && thick <= 1.5f) {
      line_batch_.add_closed_polyline(pts.data(), int(pts.size()), col);
      return;
    }
    if (!plain)
      dl->AddPolyline(pts.data(), int(pts.size()), IM_COL32(0, 0, 0, 90), ImDrawFlags_Closed,
                      thick + 1.6f * s);
    dl->AddPolyline(pts.data(), int(pts.size()), col, ImDrawFlags_Closed, thick);
  };
  auto centre_mark = [&](const Kernel& k, ImU32 col) {
    Vec2 c = vt_.domain_to_screen({k.cx, k.cy});
    float r = 4.0f * s;
    ImVec2 p = iv(c);
    if (gl_lines) {  // ImGui puts a line through pixel centres: the same half-pixel offset
      line_batch_.add_line(ImVec2(p.x - r + 0.5f, p.y + 0.5f), ImVec2(p.x + r + 0.5f, p.y + 0.5f),
                           col);
      line_batch_.add_line(ImVec2(p.x + 0.5f, p.y - r + 0.5f), ImVec2(p.x + 0.5f, p.y + r + 0.5f),
                           col);
      return;
    }
    dl->AddLine(ImVec2(p.x - r, p.y), ImVec2(p.x + r, p.y), col, 1.5f * s);
    dl->AddLine(ImVec2(p.x, p.y - r), ImVec2(p.x, p.y + r), col, 1.5f * s);
  };

  // Kernels on the canvas, and those too small there to outline.
  int on_screen = 0, small = 0;
  std::vector<char> draw(n <= OutlinePlan::kMaxOutlined ? std::size_t(n) : 0, 0);
  for (std::size_t i = 0; i < draw.size(); ++i) {
    const Kernel& k = sc.kernels[i];
    if (int(i) == sel || !inside(canvas_, vt_.domain_to_screen({k.cx, k.cy}))) continue;
    if (!OutlinePlan::big_enough(screen_radius(k) / s)) {
      ++small;
      continue;
    }
    draw[i] = 1;
    ++on_screen;
  }
  OutlinePlan plan = OutlinePlan::for_scene(n, true, on_screen, canvas_.w * canvas_.h);
  if (plan.draw_others) {
    for (int i = 0; i < n; ++i) {
      if (!draw[std::size_t(i)]) continue;
      const Kernel& k = sc.kernels[std::size_t(i)];
      if (!k.visible) {
        ellipse(k, 1, IM_COL32(160, 160, 160, 90), 1.0f * s);
        continue;
      }
      for (std::size_t l = 0; l < levels.size(); ++l) {
        if ((!plan.all_levels || plain) && l > 0) break;
        auto alpha = static_cast<unsigned>(std::max(70, 190 - 45 * int(l)));
        ellipse(k, levels[l], IM_COL32(255, 255, 255, alpha), 1.1f * s);
      }
      centre_mark(k, IM_COL32(255, 255, 255, 170));
    }
  }
  line_batch_.flush(dl);  // the others' plain outlines, under the selected kernel's
  gl_lines = false;
  plan.report_small(small);
  outline_note_ = plan.note;
  if (sel >= 0 && sel < n) {
    const Kernel& k = sc.kernels[std::size_t(sel)];
    const ImU32 orange = IM_COL32(255, 168, 38, 255);
    for (std::size_t l = 0; l < levels.size(); ++l)
      ellipse(k, levels[l], l == 0 ? orange : IM_COL32(255, 168, 38, 170),
              (l == 0 ? 2.2f : 1.4f) * s);
    centre_mark(k, orange);
    // Shape handles: a line from the centre to each, a disc at its end.
    ImVec2 c = iv(vt_.domain_to_screen({k.cx, k.cy}));
    const ImU32 hcol[2] = {IM_COL32(255, 168, 38, 255), IM_COL32(90, 210, 255, 255)};
    int hi = 0;
    for (Handle h : {Handle::AxisX, Handle::AxisY}) {
      ImVec2 p = iv(vt_.domain_to_screen(handle_position(k, h)));
      dl->AddLine(c, p, IM_COL32(0, 0, 0, 120), 3.0f * s);
      dl->AddLine(c, p, hcol[hi], 1.4f * s);
      dl->AddCircleFilled(p, 5.5f * s, IM_COL32(0, 0, 0, 160));
      dl->AddCircleFilled(p, 4.2f * s, hcol[hi]);
      ++hi;
    }
  }
  dl->Flags = flags;
}

void App::draw_colorbar() {
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  const View& v = editor_.scene().view;
  const ColormapTable& t = colormap_table(v.colormap);
  const float s = ui_scale_;
  const double x0 = colorbar_.x, y0 = colorbar_.y, w = colorbar_.w, h = colorbar_.h;
  const int segments = 128;
  for (int i = 0; i < segments; ++i) {
    double t0 = double(i) / segments, t1 = double(i + 1) / segments;
    ImVec2 a = iv({x0, y0 + h - t1 * h}), b = iv({x0 + w, y0 + h - t0 * h});
    ImU32 top = lut_color(t, t1), bottom = lut_color(t, t0);
    dl->AddRectFilledMultiColor(a, b, top, top, bottom, bottom);
  }
  dl->AddRect(iv({x0 - 1, y0 - 1}), iv({x0 + w + 1, y0 + h + 1}), IM_COL32(255, 255, 255, 90));
  // Contour levels sit at equal colour steps: mark them across the bar.
  for (int i = 1; i <= v.contour_levels; ++i) {
    double y = y0 + h - h * double(i) / (v.contour_levels + 1);
    dl->AddLine(iv({x0, y}), iv({x0 + w, y}), IM_COL32(255, 255, 255, 170), 1.0f * s);
  }

  const float fs = ImGui::GetFontSize();
  int max_ticks = std::clamp(int(h / (2.2 * fs)), 2, 11);
  auto ticks = colorbar_ticks(range_, v.scale, max_ticks, 1.15 * fs / h);
  for (const Tick& tk : ticks) {
    double y = y0 + h - tk.t * h;
    dl->AddLine(iv({x0 + w, y}), iv({x0 + w + 5 * s, y}), IM_COL32(230, 230, 235, 255), 1.0f * s);
    double ty = std::clamp(y - fs * 0.5, y0 - fs * 0.5, y0 + h - fs * 0.5);
    dl->AddText(iv({x0 + w + 8 * s, ty}), IM_COL32(230, 230, 235, 255), tk.label.c_str());
  }
  // Caption above the bar: scale and range mode.
  char cap[48];
  std::snprintf(cap, sizeof cap, "%s%s", to_string(v.scale), v.range_auto ? "" : ", fixed");
  dl->AddText(iv({x0 - 2 * s, y0 - fs - 12 * s}), IM_COL32(170, 172, 180, 255), cap);
}

void App::draw_probe() {
  const Scene& sc = editor_.scene();
  int col, row;
  if (!pixel_of(sc, hover_domain_, col, row)) return;
  bool full = !field_is_preview_;
  if (col != probe_col_ || row != probe_row_ || probe_revision_ != editor_.revision() ||
      probe_field_full_ != full) {
    probe_ = probe(sc, full ? &field_ : nullptr, hover_domain_, 4);
    probe_col_ = col, probe_row_ = row;
    probe_revision_ = editor_.revision();
    probe_field_full_ = full;
  }
  ImGui::BeginTooltip();
  if (mono_font_) ImGui::PushFont(mono_font_);
  ImGui::Text("x %-12.6g y %.6g", hover_domain_.x, hover_domain_.y);
  ImGui::TextDisabled("pixel col %d, row %d", col, row);
  if (probe_.has_field)
    ImGui::Text("value  %.7g", probe_.field_value);
  else
    ImGui::TextDisabled("value  (rendering)");
  if (probe_.has_reference) ImGui::TextDisabled("exact  %.10g", probe_.reference_value);
  if (!probe_.top.empty()) {
    ImGui::Separator();
    ImGui::TextDisabled("top kernels here");
    for (const Contribution& c : probe_.top)
      ImGui::Text("#%-4d %s%.6g", c.index, c.index == editor_.selected() ? "* " : "  ", c.value);
  }
  if (mono_font_) ImGui::PopFont();
  ImGui::EndTooltip();
}

}  // namespace gm::viewer

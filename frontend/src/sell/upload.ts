// Photo upload with progress: fetch cannot report upload progress, XMLHttpRequest can. The
// answer is typed by the generated schema; a 401 gets one silent refresh and one retry.
import { API_BASE_URL, authorization, refreshSession } from '../api/client';
import { ApiError, isProblem } from '../api/problem';
import type { components } from '../api/schema';

export type PhotoView = components['schemas']['PhotoView'];

function once(listingId: string, file: File, onProgress: (fraction: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_BASE_URL}/api/v1/listings/${encodeURIComponent(listingId)}/photos`);
    xhr.withCredentials = true;
    const auth = authorization();
    if (auth) xhr.setRequestHeader('Authorization', auth);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new ApiError(0, null, 'network error'));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

export async function uploadPhoto(listingId: string, file: File, onProgress: (fraction: number) => void): Promise<PhotoView> {
  let res = await once(listingId, file, onProgress);
  if (res.status === 401 && (await refreshSession())) res = await once(listingId, file, onProgress);
  if (res.status < 200 || res.status >= 300) throw new ApiError(res.status, isProblem(res.body) ? res.body : null);
  onProgress(1);
  return res.body as PhotoView;
}
